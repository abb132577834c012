"""A user's integration: the encrypted token and its rotation, what runs note about it (the workspace, the bot
user, the last look at the trash, a refused token), and the request budget every backend shares."""

from __future__ import annotations

from .base import Statements


class IntegrationStatements(Statements):
    """The statements of a user's integration, of what runs note about it and of the shared request budget."""

    def integration(self, user_id: str) -> dict | None:
        """The user's integration as this session may see it, with what runs noted about it
        (``nls._integration_now``): token ciphertext, nonce, key version, status, workspace id, bot id; None when
        there is none."""
        return self._one(
            "SELECT i.token_ciphertext, i.token_nonce, i.key_version, n.status, n.workspace_id, n.bot_id "
            "FROM nls.integrations i, nls._integration_now(i.id) n WHERE i.user_id = $1",
            ["text"],
            [user_id],
        )

    def has_integration(self, user_id: str) -> bool:
        return self._row("SELECT count(*) AS n FROM nls.integrations WHERE user_id = $1", ["text"], [user_id])["n"] > 0

    def integration_bot(self, user_id: str) -> str | None:
        """The integration's bot user id (its own writes come back as events it authored), when known."""
        row = self.integration(user_id)
        return row["bot_id"] if row else None

    def save_token(
        self,
        user_id: str,
        key_version: int,
        nonce: bytes,
        ciphertext: bytes,
        workspace_id: str | None,
        workspace_name: str | None,
        workspace_icon: str | None,
        bot_id: str | None,
    ) -> int:
        """Store (or replace) a user's encrypted token and set the integration active; returns its id."""
        return self._row(
            "INSERT INTO nls.integrations AS i (user_id, token_ciphertext, token_nonce, key_version, workspace_id, "
            "workspace_name, workspace_icon, bot_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (user_id) DO UPDATE SET token_ciphertext = excluded.token_ciphertext, "
            "token_nonce = excluded.token_nonce, key_version = excluded.key_version, "
            "workspace_id = coalesce(excluded.workspace_id, i.workspace_id), "
            "workspace_name = coalesce(excluded.workspace_name, i.workspace_name), "
            "workspace_icon = coalesce(excluded.workspace_icon, i.workspace_icon), "
            "bot_id = coalesce(excluded.bot_id, i.bot_id), status = 'active', updated_at = now() RETURNING id",
            ["text", "bytea", "bytea", "int", "text", "text", "text", "text"],
            [user_id, ciphertext, nonce, key_version, workspace_id, workspace_name, workspace_icon, bot_id],
        )["id"]

    def tokens_to_rotate(self, newest: int) -> list[dict]:
        """Every integration not under key version ``newest``, locked for an update of its token (FOR NO KEY UPDATE:
        a run that holds the row's key share, through its source's foreign key, does not hold it up): {user_id,
        token_ciphertext, token_nonce, key_version}."""
        return self._rows(
            "SELECT user_id, token_ciphertext, token_nonce, key_version FROM nls.integrations "
            "WHERE key_version <> $1 ORDER BY user_id FOR NO KEY UPDATE",
            ["int"],
            [newest],
        )

    def replace_token(self, user_id: str, key_version: int, nonce: bytes, ciphertext: bytes) -> None:
        self.db.execute(
            "UPDATE nls.integrations SET token_ciphertext = $2, token_nonce = $3, key_version = $4, "
            "updated_at = now() WHERE user_id = $1",
            ["text", "bytea", "bytea", "int"],
            [user_id, ciphertext, nonce, key_version],
        )

    def tokens_at(self, key_version: int) -> int:
        """How many integrations are under key version ``key_version``."""
        return self._row("SELECT count(*) AS n FROM nls.integrations WHERE key_version = $1", ["int"], [key_version])[
            "n"
        ]

    def mark_needs_reauth(self, user_id: str) -> None:
        """Notion refused the token itself (401): the integration waits for a new one (a note: see :meth:`_note`)."""
        self._note(user_id, refused=True)

    def save_workspace(self, user_id: str, workspace_id: str, workspace_name: str | None) -> None:
        """Record the workspace a token turned out to be in (``GET /v1/users/me``; a note: see :meth:`_note`)."""
        self._note(user_id, workspace_id=workspace_id, workspace_name=workspace_name)

    def save_bot_id(self, user_id: str, bot_id: str | None) -> None:
        """Record the id of the integration's bot user (the author of nls's own writes; a note: see :meth:`_note`)."""
        self._note(user_id, bot_id=bot_id)

    def save_trash_checked(self, user_id: str, began: str) -> None:
        """The look at the user's trash that began at ``began`` (timestamptz text) is done (a note: see
        :meth:`_note`)."""
        self._note(user_id, trash_checked_at=began)

    def trash_since(self, user_id: str, overlap_s: float) -> str | None:
        """Where the next look at the user's trash reads back to: the last look's start less ``overlap_s`` (ISO,
        UTC, milliseconds as Notion writes them), or None before the first look."""
        row = self._one(
            "SELECT to_char((n.trash_checked_at - make_interval(secs => $2)) AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS since FROM nls.integrations i, "
            "nls._integration_now(i.id) n WHERE i.user_id = $1",
            ["text", "float8"],
            [user_id, overlap_s],
        )
        return row["since"] if row else None

    def _note(
        self,
        user_id: str,
        workspace_id: str | None = None,
        workspace_name: str | None = None,
        bot_id: str | None = None,
        trash_checked_at: str | None = None,
        refused: bool = False,
    ) -> None:
        """Note what a run learned about the user's integration in ``nls.integration_notes`` (``refused``: Notion
        refused the token stored now): an insert, which locks no row another session needs, so that a run never
        waits on another session for it nor holds one up; it is folded into ``nls.integrations`` as the run's
        transaction commits, and read with the integration until then (:meth:`integration`)."""
        self.db.execute(
            "INSERT INTO nls.integration_notes (integration_id, user_id, workspace_id, workspace_name, "
            "bot_id, trash_checked_at, refused_nonce) SELECT i.id, i.user_id, $2, $3, $4, $5::timestamptz, "
            "CASE WHEN $6 THEN i.token_nonce END FROM nls.integrations i WHERE i.user_id = $1",
            ["text", "text", "text", "text", "text", "bool"],
            [user_id, workspace_id, workspace_name, bot_id, trash_checked_at, refused],
        )

    def take_budget(
        self, user_id: str, workspace_id: str | None, rate: float, workspace_rate: float, burst: float
    ) -> tuple[float, bool]:
        """One request of the user's token in the budgets every backend shares (``nls._take_budget``): ``rate``
        and ``workspace_rate`` requests a second, ``burst`` at once (less one kept for jitter). Returns (seconds to
        wait before sending it, reserved); not reserved: wait, then ask again."""
        r = self._row(
            "SELECT wait_s, reserved FROM nls._take_budget($1, $2, $3, $4, $5)",
            ["text", "text", "float8", "float8", "float8"],
            [user_id, workspace_id, rate, workspace_rate, burst],
        )
        return r["wait_s"], r["reserved"]

    def take_window(self, kind: str, key: str, window_s: float, default: int) -> tuple[float, int, bool]:
        """One request in the window budget of a token (kind ``token``: key the user id) or a workspace
        (``workspace``: its id) every backend shares (``nls._take_window``): ``window_s`` seconds a window,
        ``default`` requests in one until a budget is learned. Returns (seconds to wait for the window's end, 0
        when counted; the budget known; paced: the limit is a rate, pace with :meth:`take_budget`)."""
        r = self._row(
            "SELECT wait_s, budget, paced FROM nls._take_window($1, $2, $3, $4)",
            ["text", "text", "float8", "int"],
            [kind, key, window_s, default],
        )
        return r["wait_s"], r["budget"], r["paced"]

    def learn_window(self, kind: str, key: str, retry_after_s: float, window_s: float) -> int:
        """A 429 of ``retry_after_s`` seconds for a token or a workspace (as :meth:`take_window`): its window
        budget is learned from the count of its window and the window held until then (``nls._learn_window``).
        Returns the budget learned (0: none), or minus its burst when the limit is a rate."""
        return self._row(
            "SELECT nls._learn_window($1, $2, $3, $4) AS b",
            ["text", "text", "float8", "float8"],
            [kind, key, retry_after_s, window_s],
        )["b"]

    def hold_budget(self, kind: str, key: str | None, seconds: float, rate: float, burst: float) -> bool:
        """Notion asked to wait ``seconds`` (a 429) for a budget (kind ``token``: key the user id; ``workspace``:
        its id, None while not known): no backend's request of it starts before (``nls._hold_budget``). False when
        it could not be noted (every register in use)."""
        return self._row(
            "SELECT nls._hold_budget($1, $2, $3, $4, $5) AS held",
            ["text", "text", "float8", "float8", "float8"],
            [kind, key, seconds, rate, burst],
        )["held"]
