"""What nls writes into a learner's Anki collection for one learning atom, and how it reads a card back: plain
functions with no database and no Anki library (unit-tested without either).

An atom (a row of ``nls._anki_atoms(user)``, ``nls.learning_atoms`` with its concept and curriculum names)
becomes one note of nls's own note types: ``nls Basic`` (Front, Back, Card ID, Notion) for a flashcard and ``nls
Cloze`` (Text, Back Extra, Card ID, Notion) for a cloze. The note's guid derives from the atom (its Notion page id,
else its atom id) and its kind, so the same atom always finds the same note, in any collection. The deck is the
curriculum (``Program::Track::Module``), else the knowledge tree (``Area::Cluster``), else ``Notion``; the tags say
the concept (``concept::<name>``). nls owns the tags under ``concept::`` and ``nls::`` only; the learner's own tags
stay.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# kind -> (note type name, its fields); the note types are nls's own, so that stock Basic/Cloze stay the learner's
NOTETYPES = {
    "basic": ("nls Basic", ("Front", "Back", "Card ID", "Notion")),
    "cloze": ("nls Cloze", ("Text", "Back Extra", "Card ID", "Notion")),
}
FALLBACK_DECK = "Notion"
REMOVED_TAG = "nls::removed_from_notion"
OWNED_TAG_PREFIXES = ("concept::", "nls::")
NOTION_URL = "https://www.notion.so/"
# Anki's card queue (cards.queue): what nls.learning_atoms.anki_queue holds
QUEUES = {
    -3: "buried by the learner",
    -2: "buried by the scheduler",
    -1: "suspended",
    0: "new",
    1: "learning",
    2: "review",
    3: "day learning",
    4: "preview",
}


@dataclass(frozen=True)
class NoteSpec:
    """The note one atom wants: ``fields`` in the note type's order (HTML, as Anki stores them), ``deck`` (a
    ``::`` path), ``tags`` (nls's own), and the two SHA-256 hashes (hex) that say what changed."""

    guid: str
    atom_key: str
    kind: str
    fields: tuple[str, ...]
    deck: str
    tags: tuple[str, ...]

    @property
    def notetype(self) -> str:
        return NOTETYPES[self.kind][0]

    @property
    def fields_hash(self) -> str:
        return fields_hash(self.fields)

    @property
    def content_hash(self) -> str:
        """What the push compares: the fields, the deck and the tags (a new deck or concept moves the note)."""
        return _sha256("\x1e".join(["\x1f".join(self.fields), self.deck, " ".join(self.tags)]))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fields_hash(fields: Sequence[str]) -> str:
    """SHA-256 (hex) of a note's fields as Anki stores them: a learner's edit changes it, a review does not."""
    return _sha256("\x1f".join(fields))


def atom_key(atom: dict) -> str:
    """What identifies an atom across cleanings: its Notion page id, else (an atom nls.approve_review created) its
    id."""
    return atom.get("notion_id") or f"atom:{atom['atom_id']}"


def guid(key: str, kind: str) -> str:
    """The note's guid (Anki's identity of a note across collections): ``nls`` and 16 URL-safe base64 characters of
    SHA-256 over the atom's key and the note's kind. An atom that turns from flashcard to cloze gets a new note
    (Anki cannot change a note's type without a full sync); the old one is suspended."""
    digest = hashlib.sha256(f"nls:{kind}:{key}".encode()).digest()[:12]
    return "nls" + base64.urlsafe_b64encode(digest).decode()


def to_html(text: str | None) -> str:
    """Plain text from Notion as an Anki field: HTML-escaped (a cloze's ``{{c1::...}}`` stays), new lines as
    ``<br>``."""
    return html.escape(text or "", quote=False).replace("\r\n", "\n").replace("\n", "<br>")


_BREAK = re.compile(r"<br\s*/?>|</div>\s*<div>|</p>\s*<p>", re.I)
_TAG = re.compile(r"<[^>]+>")


def to_text(field: str) -> str:
    """An Anki field (HTML) as plain text: breaks and blocks as new lines, other tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", field or ""))).replace("\xa0", " ").strip()


def _part(name: str | None) -> str | None:
    """One level of a deck name: trimmed, with ``::`` (Anki's level separator) written as ``:``."""
    name = (name or "").strip().replace("::", ":")
    return name or None


def deck_name(atom: dict) -> str:
    """The atom's deck: ``Program::Track::Module`` (the levels it has) when it has a module, else
    ``Area::Cluster`` from its concept, else ``Notion``."""
    if atom.get("module"):
        parts = [atom.get("program"), atom.get("track"), atom.get("module")]
    else:
        parts = [atom.get("area"), atom.get("cluster")]
    return "::".join(p for p in map(_part, parts) if p) or FALLBACK_DECK


def concept_tag(concept: str | None) -> str | None:
    """``concept::<name>``, spaces as ``_`` (an Anki tag holds no space); None without a concept."""
    name = re.sub(r"\s+", "_", (concept or "").strip())
    return f"concept::{name}" if name else None


def notion_link(notion_id: str | None) -> str:
    """A link to the atom's Notion page (its id without dashes), or '' for an atom that has none."""
    if not notion_id:
        return ""
    url = NOTION_URL + notion_id.replace("-", "")
    return f'<a href="{url}">{url}</a>'


def note_for(atom: dict) -> NoteSpec:
    """The note ``atom`` wants. ``atom``: {atom_id, notion_id, card_id, atom_type ('flashcard' | 'cloze'), front,
    back, program, track, module, area, cluster, concept}."""
    kind = "cloze" if atom["atom_type"] == "cloze" else "basic"
    key = atom_key(atom)
    fields = (
        to_html(atom.get("front")),
        to_html(atom.get("back")),
        html.escape(atom.get("card_id") or ""),
        notion_link(atom.get("notion_id")),
    )
    tag = concept_tag(atom.get("concept"))
    return NoteSpec(guid(key, kind), key, kind, fields, deck_name(atom), (tag,) if tag else ())


def merged_tags(current: Iterable[str], ours: Iterable[str]) -> list[str]:
    """The note's tags after nls writes ``ours``: the learner's own tags kept, nls's (``concept::``, ``nls::``)
    replaced."""
    kept = [t for t in current if not t.lower().startswith(OWNED_TAG_PREFIXES)]
    return kept + [t for t in ours if t not in kept]


def difficulty(anki_difficulty: float | None) -> float | None:
    """FSRS difficulty as nls.learning_atoms holds it (0 to 1): Anki's 1 (easiest) to 10 (hardest) mapped linearly,
    ``(d - 1) / 9``, rounded to 2 places (Anki's own card info shows the same value as a percentage); None when
    the card has no FSRS memory state."""
    if anki_difficulty is None:
        return None
    return round(min(1.0, max(0.0, (anki_difficulty - 1.0) / 9.0)), 2)


def ease(factor: int | None) -> float | None:
    """Anki's ease factor in permille (2500) as ``nls.learning_atoms.anki_ease_factor`` (2.500); None when Anki keeps no
    ease (0: a new card, or a card scheduled by FSRS only)."""
    return round(factor / 1000.0, 3) if factor else None


def stability(days: float | None) -> float | None:
    """FSRS stability in days, rounded to 2 places and capped to what ``decimal(8,2)`` holds."""
    return None if days is None else round(min(float(days), 999999.99), 2)


def card_stats(ivl: int, factor: int, reps: int, lapses: int, queue: int, memory: tuple | None) -> dict:
    """The ``learning_atoms.anki_*`` values of one card: ``memory`` is FSRS's (stability days, difficulty 1-10) or
    None. Returns {anki_interval (days), anki_ease_factor, anki_review_count, anki_lapses, anki_queue,
    anki_stability, anki_difficulty}."""
    return {
        "anki_interval": int(ivl),
        "anki_ease_factor": ease(factor),
        "anki_review_count": int(reps),
        "anki_lapses": int(lapses),
        "anki_queue": int(queue),
        "anki_stability": stability(memory[0]) if memory else None,
        "anki_difficulty": difficulty(memory[1]) if memory else None,
    }
