"""Model stage, names: an author's name in CSL's parts, the one source every output reads.

CSL models a personal name as ``given``, ``family``, ``dropping-particle``
(German "von der" in "Ursula von der Leyen": Chicago sorts her under L),
``non-dropping-particle`` (the Flemish "De" in "Pieter De Smedt": sorted under
D) and ``suffix``. A front matter may give the parts; a plain ``name`` is split
here, once, so How to cite, BibTeX, RIS, the Scholar tags, JSON-LD, the EPUB,
the feed and the catalogue cannot disagree about who wrote a brief.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Particles written in lower case are dropping particles: "Charles de Gaulle" and
#: "Ursula von der Leyen" sort under the main name (Chicago 8.5).
_LOWER_PARTICLES = frozenset({
    "af", "al", "av", "d'", "da", "dal", "das", "de", "degli", "dei", "del", "della", "der",
    "des", "di", "do", "dos", "du", "la", "le", "ten", "ter", "van", "vande", "vander",
    "von", "vom", "zu", "zum", "zur", "y",
})  # fmt: skip
#: Capitalised particles are part of the name one sorts by (Flemish "De Smedt",
#: "Van Rompuy", Italian "Di Maio"): CSL's non-dropping particle.
_CAPITAL_PARTICLES = frozenset({
    "De", "Den", "Der", "Van", "Vanden", "Vander", "Le", "La", "Di", "Da", "Du", "Del",
    "Della", "Dos", "Des", "Ten", "Ter",
})  # fmt: skip
#: Irish and Scottish patronymic prefixes belong to the family name ("Ó Briain",
#: "Ní Chonaill", "Mac Giolla"): never a given name, never initialised.
_FAMILY_PREFIXES = frozenset({"Ó", "O", "Ní", "Nic", "Mac", "Mag", "Mc", "Uí", "Ua", "Bean"})
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})

#: The keys a front matter may give for an author's name, as CSL spells them.
NAME_PARTS = ("given", "family", "dropping-particle", "non-dropping-particle", "suffix")


@dataclass(frozen=True)
class NameParts:
    """One person's name in CSL's parts; empty strings where a part is absent."""

    given: str = ""
    family: str = ""
    dropping_particle: str = ""
    non_dropping_particle: str = ""
    suffix: str = ""
    #: A name that cannot be split (an institution, a one-word pen name).
    literal: str = ""

    @property
    def display(self) -> str:
        """``Ursula von der Leyen``, ``Pieter De Smedt``: the byline's order."""
        if self.literal:
            return self.literal
        words = (self.given, self.dropping_particle, self.non_dropping_particle, self.family)
        text = " ".join(w for w in words if w)
        return f"{text}, {self.suffix}" if self.suffix else text

    @property
    def family_name(self) -> str:
        """The family name with its particles, as Scholar, BibTeX and RIS write it:
        ``von der Leyen``, ``De Smedt``, ``Ó Briain``, ``García Pérez``."""
        if self.literal:
            return self.literal
        words = (self.dropping_particle, self.non_dropping_particle, self.family)
        return " ".join(w for w in words if w)

    @property
    def sort_key(self) -> str:
        """What an index sorts by: ``Leyen`` for von der Leyen, ``De Smedt`` under D."""
        if self.literal:
            return self.literal.casefold()
        family = " ".join(w for w in (self.non_dropping_particle, self.family) if w)
        return f"{family} {self.given}".casefold()

    @property
    def inverted(self) -> str:
        """``von der Leyen, Ursula``: Highwire's ``citation_author``, RIS ``AU``, BibTeX."""
        if self.literal or not self.given:
            return self.family_name
        text = f"{self.family_name}, {self.given}"
        return f"{text}, {self.suffix}" if self.suffix else text

    def csl(self) -> dict[str, str]:
        """The CSL JSON name. A non-dropping particle goes into ``family``: Chicago's
        CSL demotes it ("Smedt, Pieter De"), while a Flemish "De" sorts under D."""
        if self.literal:
            return {"literal": self.literal}
        parts = {"family": " ".join(w for w in (self.non_dropping_particle, self.family) if w)}
        if self.given:
            parts["given"] = self.given
        if self.dropping_particle:
            parts["dropping-particle"] = self.dropping_particle
        if self.suffix:
            parts["suffix"] = self.suffix
        return parts


def split_name(name: str) -> NameParts:
    """A byline name in CSL's parts: the last word is the family name, with the
    particles and Irish prefixes before it; the words before those are given names.

    Spanish and Portuguese double surnames ("María José García Pérez") cannot be
    told from a middle name: the front matter gives ``family: García Pérez``.
    """
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1] in _SUFFIXES:
        suffix = words.pop()
        words[-1] = words[-1].rstrip(",")
    if len(words) < 2:
        return NameParts(literal=" ".join(words), suffix=suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1] in _FAMILY_PREFIXES:
        start -= 1
    family = " ".join(words[start:])
    end = start
    while end > 1 and words[end - 1] in _CAPITAL_PARTICLES:
        end -= 1
    non_dropping = " ".join(words[end:start])
    first = end
    while first > 1 and words[first - 1].lower() in _LOWER_PARTICLES and words[first - 1].islower():
        first -= 1
    dropping = " ".join(words[first:end])
    return NameParts(
        given=" ".join(words[:first]),
        family=family,
        dropping_particle=dropping,
        non_dropping_particle=non_dropping,
        suffix=suffix,
    )


def name_parts(name: str, given: dict[str, str] | None = None) -> NameParts:
    """``name`` split, with every part the front matter gives overriding the split.

    With ``family`` given, the given names are what ``name`` has before the family
    name and its particles (``name: María José García Pérez, family: García Pérez``).
    """
    found = split_name(name) if name else NameParts()
    if not given or (found.literal and given.get("family") is None):
        return found
    if given.get("family") is not None:
        dropping = given.get("dropping-particle") or ""
        non_dropping = given.get("non-dropping-particle") or ""
        tail = " ".join(w for w in (dropping, non_dropping, given["family"]) if w)
        text = name.removesuffix(f", {found.suffix}" if found.suffix else "").strip()
        before = text.removesuffix(tail).strip() if tail and text.endswith(tail) else found.given
        found = NameParts(
            given=before,
            family=given["family"],
            dropping_particle=dropping,
            non_dropping_particle=non_dropping,
            suffix=found.suffix,
        )
    return NameParts(
        given=given.get("given", found.given),
        family=found.family,
        dropping_particle=given.get("dropping-particle", found.dropping_particle),
        non_dropping_particle=given.get("non-dropping-particle", found.non_dropping_particle),
        suffix=given.get("suffix", found.suffix),
    )
