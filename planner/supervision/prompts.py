"""The reflective prompts of supervision: the set (planner/prompts.toml, or a
service's own in the user config folder), validated; the groups a case gets;
pinned prompts in a supervision note (`PIN_PREFIX` lines)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from planner.errors import ConfigError
from planner.model import FLAGS, Case, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.tomlfile import read_toml

#: The default set, shipped beside the planner package's modules.
DEFAULT_PROMPTS_PATH = Path(__file__).parents[1] / "prompts.toml"
PROMPTS_FILE_NAME = "prompts.toml"  # a service's own set in the user config folder
#: Flags that choose a prompt group for a case (docs/voice.md, supervision prompts).
FLAG_GROUPS = tuple(f for f in FLAGS if f != "do_not_move")
#: Warning rules that choose a prompt group for a case that has them.
RULE_GROUPS = ("alliance_low",)
APPLIES_TO = ("all", "youth", "adult", *FLAG_GROUPS, *RULE_GROUPS)
PIN_PREFIX = "[prompt] "

# ============================================================================ prompts


@dataclass(frozen=True, slots=True)
class Prompt:
    group_id: str
    id: str
    title: str
    text: str
    group_title: str = ""

    @property
    def key(self) -> str:
        """`group.prompt`, how a prompt is named on the command line."""
        return f"{self.group_id}.{self.id}"

    @property
    def pin_text(self) -> str:
        """What `storage.supervision.pin_prompt` appends to the note."""
        head = f"{self.group_title}, {self.title}" if self.group_title else self.title
        return f"{head}: {self.text}"


@dataclass(frozen=True, slots=True)
class PromptGroup:
    id: str
    title: str
    source: str
    applies_to: str
    prompts: tuple[Prompt, ...]

    def applies(self, case: Case | None, rules: frozenset[str] = frozenset()) -> bool:
        """`all` groups always; `youth` for children, `adult` for adults; a
        flag's group for a case flagged so; a rule's for a case with that
        warning (`rules`, the ids of its warnings); every group when no case
        is given (a listing)."""
        if self.applies_to == "all" or case is None:
            return True
        if self.applies_to in FLAG_GROUPS:
            return self.applies_to in case.flags
        if self.applies_to in RULE_GROUPS:
            return self.applies_to in rules
        return case.youth == (self.applies_to == "youth")


@dataclass(frozen=True, slots=True)
class PromptSet:
    groups: tuple[PromptGroup, ...]
    source_file: str = ""

    def for_case(self, case: Case | None, rules: Iterable[str] = ()) -> tuple[PromptGroup, ...]:
        """The groups that apply to the case with those warnings (`rules`,
        their ids), every group when case is None."""
        fired = frozenset(rules)
        chosen = [group for group in self.groups if group.applies(case, fired)]
        if case is None:
            return tuple(chosen)
        # what this case brings first (its warnings' groups, then its flags'), then the rest in file order
        return tuple(sorted(chosen, key=lambda g: 0 if g.applies_to in RULE_GROUPS else
                            1 if g.applies_to in FLAG_GROUPS else 2))

    def flat(self, case: Case | None = None, rules: Iterable[str] = ()) -> tuple[Prompt, ...]:
        """The prompts for the case in file order: what a lead cycles through."""
        return tuple(prompt for group in self.for_case(case, rules) for prompt in group.prompts)

    def find(self, key: str) -> Prompt:
        """A prompt by `group.prompt` key; ConfigError naming the choices if unknown."""
        for group in self.groups:
            for prompt in group.prompts:
                if prompt.key == key:
                    return prompt
        keys = ", ".join(p.key for g in self.groups for p in g.prompts)
        raise ConfigError(f"unknown prompt {key!r}; use one of: {keys}")


_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOP_KEYS = {"version", "groups"}
_GROUP_KEYS = {"id", "title", "source", "applies_to", "prompts"}
_PROMPT_KEYS = {"id", "title", "text"}


def _default_user_prompts() -> Path | None:
    try:
        from platformdirs import user_config_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    candidate = Path(user_config_dir("caseload")) / PROMPTS_FILE_NAME
    return candidate if candidate.is_file() else None


def load_prompts(path: str | Path | None = None) -> PromptSet:
    """The prompt set from a TOML file.

    With no path: the user config folder's prompts.toml if there is one, else
    the default set shipped as planner/prompts.toml. Raises ConfigError
    "FILE: key: reason" for a missing or unreadable file, bad TOML, an unknown
    or missing key, a wrong type or a repeated id.
    """
    if path is None:
        user = _default_user_prompts()
        if user is None:
            return _default_prompts()
        path = user
    return _read_prompts(Path(path))


@lru_cache(maxsize=1)
def _default_prompts() -> PromptSet:
    return _read_prompts(DEFAULT_PROMPTS_PATH)


def _read_prompts(path: Path) -> PromptSet:
    label = str(path)
    data = read_toml(path)
    return prompts_from_dict(data, label=label)


def _text(table: dict[str, Any], key: str, where: str, label: str, *, required: bool = True) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{label}: {where}.{key}: missing")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{label}: {where}.{key}: must be a non-empty string")
    return " ".join(value.split())


def _identifier(table: dict[str, Any], where: str, label: str) -> str:
    value = _text(table, "id", where, label)
    if not _ID.match(value):
        raise ConfigError(f"{label}: {where}.id: {value!r} must be letters, digits, _ or - (64 at most)")
    return value


def _unknown(table: dict[str, Any], allowed: set[str], where: str, label: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        place = f"{where}.{extra[0]}" if where else extra[0]
        raise ConfigError(f"{label}: {place}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _entry(raw: Any, allowed: set[str], where: str, label: str, seen: set[str], taken_by: str) -> str:
    """One `[[groups]]` or `[[groups.prompts]]` table: a table of known keys
    whose id is new (added to `seen`); returns the id."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{label}: {where}: must be a table")
    _unknown(raw, allowed, where, label)
    ident = _identifier(raw, where, label)
    if ident in seen:
        raise ConfigError(f"{label}: {where}.id: {ident!r} is used by {taken_by}")
    seen.add(ident)
    return ident


def prompts_from_dict(data: dict[str, Any], label: str = PROMPTS_FILE_NAME) -> PromptSet:
    """Validate a parsed prompts document (see load_prompts)."""
    _unknown(data, _TOP_KEYS, "", label)
    version = data.get("version", 1)
    if version != 1:
        raise ConfigError(f"{label}: version: {version!r} is not supported (use 1)")
    raw_groups = data.get("groups")
    if raw_groups is None:
        raise ConfigError(f"{label}: groups: missing (add at least one [[groups]] table)")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise ConfigError(f"{label}: groups: must be a list of [[groups]] tables, at least one")
    groups: list[PromptGroup] = []
    seen_groups: set[str] = set()
    for g_index, raw in enumerate(raw_groups):
        group_id = _entry(raw, _GROUP_KEYS, f"groups[{g_index}]", label, seen_groups, "another group")
        where = f"groups[{g_index}] ({group_id})"
        title = _text(raw, "title", where, label)
        source = _text(raw, "source", where, label)
        applies_to = raw.get("applies_to", "all")
        if applies_to not in APPLIES_TO:
            raise ConfigError(
                f"{label}: {where}.applies_to: {applies_to!r} must be one of {', '.join(APPLIES_TO)}"
            )
        raw_prompts = raw.get("prompts")
        if not isinstance(raw_prompts, list) or not raw_prompts:
            raise ConfigError(f"{label}: {where}.prompts: needs at least one [[groups.prompts]] table")
        prompts: list[Prompt] = []
        seen_prompts: set[str] = set()
        for p_index, raw_prompt in enumerate(raw_prompts):
            p_where = f"{where}.prompts[{p_index}]"
            prompt_id = _entry(raw_prompt, _PROMPT_KEYS, p_where, label, seen_prompts,
                               f"another prompt of {group_id}")
            prompt_title = _text(raw_prompt, "title", p_where, label, required=False)
            prompts.append(
                Prompt(
                    group_id=group_id,
                    id=prompt_id,
                    title=prompt_title or prompt_id.replace("_", " ").replace("-", " ").capitalize(),
                    text=_text(raw_prompt, "text", p_where, label),
                    group_title=title,
                )
            )
        groups.append(PromptGroup(group_id, title, source, applies_to, tuple(prompts)))
    return PromptSet(tuple(groups), source_file=label)


def prompts_for(case: Case | None, prompts: PromptSet | None = None, rules: Iterable[str] = ()) -> tuple[PromptGroup, ...]:
    """The prompt groups for a case: every `all` group, plus `youth` groups
    (the Relationship Model) for children, `adult` groups otherwise, and the
    groups of its flags and of its warnings' rules (`rules`)."""
    return (prompts or load_prompts()).for_case(case, rules)


def choosing_rules(case: Case, as_of: date, policy: Policy = DEFAULT_POLICY, world: World | None = None) -> frozenset[str]:
    """The rules of RULE_GROUPS that fire on the case: what `for_case` needs
    where the case's warnings have not been read (`caseload supervision
    prompts CASE_REF`). Those rules read the case's own records alone."""
    from planner.rules import RULE_FUNCTIONS, RuleContext

    ctx = RuleContext(case, world or World(), as_of, policy)
    return frozenset(f.rule_id for f in RULE_FUNCTIONS if f.rule_id in RULE_GROUPS and f(ctx))


def pin_line(prompt: Prompt | str) -> str:
    """The note line a pinned prompt becomes."""
    text = prompt.pin_text if isinstance(prompt, Prompt) else str(prompt)
    return PIN_PREFIX + " ".join(text.split())


def split_note(note: str | None) -> tuple[str, tuple[str, ...]]:
    """(the written note, the pinned prompts) of a stored supervision note."""
    written: list[str] = []
    pins: list[str] = []
    for line in (note or "").splitlines():
        if line.startswith(PIN_PREFIX):
            pins.append(line[len(PIN_PREFIX):].strip())
        else:
            written.append(line)
    return "\n".join(written).strip("\n"), tuple(pins)


# ============================================================================ queue
