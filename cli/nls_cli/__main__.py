"""``python -m nls_cli``: the same as the ``nls`` command."""

import sys

from .main import main

sys.exit(main())
