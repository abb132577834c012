"""nls_emulator: a local Notion API that behaves like api.notion.com, for nls's tests, demo and benchmarks."""
from .api import ApiError, NotionApi
from .generate import Generated, generate
from .model import Workspace
from .recorded import fixtures_dir, load_recorded
from .server import Emulator, start_subprocess

__all__ = ["ApiError", "Emulator", "Generated", "NotionApi", "Workspace", "fixtures_dir", "generate",
           "load_recorded", "start_subprocess"]
