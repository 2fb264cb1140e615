"""Links that restore settings: a page's widgets kept in its address, and a box with the link to copy.

Widgets created with ``bind="query-params"`` (``BIND``) write their value into the address when it
differs from the default, and read it back when a page opens with one, so a copied link opens the
same settings for someone else. Streamlit drops a value its widget cannot take (an unknown option, a
number out of range) from the address without a word; ``LinkCheck`` notices which values were
dropped, and which parameters a page does not know, so the page can say so: a link is never an error.

Streamlit's binding writes a choice's label, which differs by language, so choices with translated
labels go in by their own option name instead (``seed_choice`` / ``keep_choice``), and a page whose
settings form one config (the gradient lab) reads and writes it field by field (``config_from_link`` /
``keep_config_in_link``). Either way a link made on the Chinese page opens on the English one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from ui.i18n import t

BIND = "query-params"  # st.slider(..., key=..., bind=BIND): the widget's key is its name in the address
ALWAYS_KNOWN = ("lang",)  # parameters every page reads (the language)


@dataclass(frozen=True)
class LinkCheck:
    """What the address carried for a page's linked widgets before they ran."""

    linked: tuple[str, ...]  # the keys of the page's widgets bound to the address
    carried: dict[str, list[str]]  # those of them the address had, with their values
    unknown: tuple[str, ...]  # parameters with the page's prefix that no widget reads

    def ignored(self) -> list[str]:
        """After the widgets ran: the carried values Streamlit dropped because no widget could take them."""
        return [f"{key}={','.join(values)}" for key, values in self.carried.items() if key not in st.query_params]


def check_link(linked: Iterable[str], prefixes: Iterable[str], other_known: Iterable[str] = ()) -> LinkCheck:
    """Call before the widgets: note the linked values the address carries and the unknown parameters
    whose names start with one of ``prefixes`` (the page's own; other pages' are left alone)."""
    linked = tuple(linked)
    known = set(linked) | set(other_known) | set(ALWAYS_KNOWN)
    carried = {key: st.query_params.get_all(key) for key in linked if key in st.query_params}
    unknown = tuple(key for key in st.query_params if key not in known and key.startswith(tuple(prefixes)))
    return LinkCheck(linked, carried, unknown)


SEEDED = "links_seeded"  # session state: the translated-choice widgets this session already took from the address


def seed_choice(key: str, options: Sequence[str], many: bool = False) -> None:
    """Before a choice widget whose labels are translated, take its value from the address once a session.

    Streamlit's own binding writes the option's label, which differs by language (a link made on the
    Chinese page would not open on the English one); these widgets carry the option's own name instead,
    through this and ``keep_choice``. A value that is not an option is dropped from the address, so
    ``LinkCheck.ignored`` names it."""
    seeded = st.session_state.setdefault(SEEDED, set())
    if key in seeded:
        return
    seeded.add(key)
    wanted = st.query_params.get_all(key)
    if not wanted:
        return
    if all(value in options for value in wanted) and (many or len(wanted) == 1):
        st.session_state[key] = list(wanted) if many else wanted[0]
    else:
        del st.query_params[key]


def keep_choice(key: str, chosen: str | Sequence[str], default: str | Sequence[str]) -> None:
    """After the widget: the chosen option's own name in the address, none when it is the default."""
    if (list(chosen) if not isinstance(chosen, str) else chosen) == (list(default) if not isinstance(default, str) else default):
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = chosen if isinstance(chosen, str) else list(chosen)


def settings_from_link(widgets: Sequence[Any]) -> list[str]:
    """Before a training page's widgets, once a session per widget: each ``ui.training.SettingWidget``'s
    value from the address when it is one the widget offers (a choice's own name, a number in range);
    anything else is dropped from the address and named in the returned list."""
    seeded = st.session_state.setdefault(SEEDED, set())
    ignored = []
    for widget in widgets:
        if widget.key in seeded:
            continue
        seeded.add(widget.key)
        raw = st.query_params.get(widget.key)
        if raw is None:
            continue
        value = _setting_value(widget, raw)
        if value is not None and widget.accepts(value):
            st.session_state[widget.key] = value
        else:
            ignored.append(f"{widget.key}={raw}")
            del st.query_params[widget.key]
    return ignored


def keep_settings_in_link(widgets: Sequence[Any], defaults: dict[str, Any], linked: bool = True) -> None:
    """After the widgets: each setting that differs from its default in the address, by value (the same in
    every language); none at all when ``linked`` is false (the data is an upload, which a link cannot carry)."""
    for widget in widgets:
        value = st.session_state.get(widget.key)
        if not linked or value is None or value == defaults.get(widget.key):
            st.query_params.pop(widget.key, None)
        else:
            st.query_params[widget.key] = str(value).lower() if isinstance(value, bool) else str(value)


def settings_link_box(widgets: Sequence[Any], defaults: dict[str, Any], built_in: bool, ignored: Sequence[str]) -> None:
    """After a training page's widgets: its settings in the address (built-in data only) and the box to copy it."""
    keep_settings_in_link(widgets, defaults, built_in)
    link_box(check_link((), ()), ignored)


def _setting_value(widget: Any, raw: str) -> Any:
    """``raw`` as the value ``widget`` holds: one of its choices by name, or a number of its slider's type."""
    if widget.choices is not None:
        return next((choice for choice in widget.choices
                     if (str(choice).lower() if isinstance(choice, bool) else str(choice)) == raw), None)
    try:
        number = float(raw)
    except ValueError:
        return None
    if isinstance(widget.low, int) and isinstance(widget.high, int):
        return int(number) if number.is_integer() else None
    return number


def config_from_link(defaults: Any, prefix: str, fits: Callable[[Any], bool]) -> tuple[Any, list[str]]:
    """``defaults`` (a dataclass config) with each ``<prefix><field>=value`` the address carries applied
    one at a time, parsed by the field's type; a value that does not parse, or after which ``fits(config)``
    is false, is left out and named in the returned list."""
    config, ignored = defaults, []
    for field in dataclasses.fields(defaults):
        key = f"{prefix}{field.name}"
        if key not in st.query_params:
            continue
        raw = st.query_params[key]
        try:
            candidate = dataclasses.replace(config, **{field.name: _parse(raw, type(getattr(defaults, field.name)))})
            accepted = fits(candidate)
        except ValueError:  # includes DataError
            accepted = False
        if accepted:
            config = candidate
        else:
            ignored.append(f"{key}={raw}")
            del st.query_params[key]
    return config, ignored


def keep_config_in_link(config: Any, defaults: Any, prefix: str) -> None:
    """The fields of ``config`` that differ from ``defaults`` in the address, by value (the same in every language)."""
    for field in dataclasses.fields(config):
        key, value = f"{prefix}{field.name}", getattr(config, field.name)
        if value == getattr(defaults, field.name):
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = str(value).lower() if isinstance(value, bool) else str(value)


def _parse(raw: str, kind: type) -> Any:
    if kind is bool:
        if raw.lower() not in ("true", "false"):
            raise ValueError(raw)
        return raw.lower() == "true"
    return kind(raw)


def current_link() -> str:
    """The page's address as the browser shows it now, settings included (relative when the base is unknown)."""
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])
    base = st.context.url or ""
    return f"{base}?{query}" if query else base


def link_box(check: LinkCheck, also_ignored: Sequence[str] = (), label_key: str = "common.link_title") -> None:
    """The link to copy (a code box has a copy button) and a note for anything the address carried that
    was ignored. Call after the widgets."""
    ignored = check.ignored() + [f"{key}={st.query_params.get(key, '')}" for key in check.unknown] + list(also_ignored)
    for key in check.unknown:  # not read by anything: out of the address, so a copied link is clean
        del st.query_params[key]
    if ignored:
        st.caption(t("common.link_ignored", values=", ".join(ignored)))
    with st.expander(t(label_key), icon="🔗"):
        st.caption(t("common.link_help"))
        st.code(current_link(), language=None, wrap_lines=True)
