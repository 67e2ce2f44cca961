"""Who is related to whom: the typed edges between entities that the graph implies.

One pass over the graph gives every relation (an initiative's chair, members, invitees and
inviters and focus; a person's roles and nationality; a body's parent and seat; who made
claims about whom; who appears together in the same analyses). The relationship pictures,
their text alternatives and ``data/graph.json`` all read this one list, sorted, so every
output made from it is deterministic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from .model import Graph, Kind
from .views import STATUS_LABELS

# type -> (label read source-to-target, label read target-to-source); order = importance
TYPES: dict[str, tuple[str, str]] = {
    "chair": ("chairs", "chaired by"),
    "member": ("member of", "has member"),
    "invitee": ("invited to", "invited"),
    "inviter": ("invited", "invited by"),
    "focus": ("focuses on", "focus of"),
    "role": ("", ""),  # the role's own title, both ways
    "nationality": ("citizen of", "has citizen"),
    "part-of": ("part of", "includes"),
    "seat": ("seated in", "seat of"),
    "spoke-about": ("spoke about", "spoken about by"),
    "appears-with": ("appears with", "appears with"),
}
RANK = {name: i for i, name in enumerate(TYPES)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation:
    source: str  # entity id
    target: str  # entity id; for the undirected "appears-with", source < target
    type: str  # a key of TYPES
    note: str = ""  # a role's title, an invitation's status
    weight: int = 1  # claims made, or analyses shared

    @property
    def directed(self) -> bool:
        return self.type != "appears-with"

    def label(self, from_id: str) -> str:
        """The relation read from ``from_id``'s side: ``Trump`` -> "chairs" the board."""
        if self.type == "role":
            return self.note
        forward, backward = TYPES[self.type]
        text = forward if from_id == self.source else backward
        if self.type in ("invitee", "inviter") and self.note:
            text += f" ({self.note})"
        if self.type in ("appears-with", "spoke-about") and self.weight > 1:
            text += f" ×{self.weight}"
        return text

    def other(self, entity_id: str) -> str:
        return self.target if entity_id == self.source else self.source


# The last graph's relations, with what they were made from. resolve hands a later graph the
# same claims and back-links objects only when its entities are the same records and every
# article keeps what the relations read of it (see resolve._Memo): then they are the same.
_LAST: tuple[Graph, tuple[Relation, ...]] | None = None


def relations(graph: Graph) -> tuple[Relation, ...]:
    """Every relation between two different entities of ``graph``, sorted (source, target, type, note)."""
    global _LAST
    last = _LAST
    if last is not None and last[0].claims is graph.claims and last[0].backlinks is graph.backlinks \
            and len(last[0].entities) == len(graph.entities) \
            and all(last[0].entities.get(i) is e for i, e in graph.entities.items()):
        return last[1]
    made = _relations(graph)
    _LAST = (graph, made)
    return made


def _relations(graph: Graph) -> tuple[Relation, ...]:
    known = graph.entities
    found: dict[tuple[str, str, str, str], int] = {}

    def add(source: str, target: str, type_: str, note: str = "", weight: int = 1) -> None:
        if source != target and source in known and target in known:
            key = (source, target, type_, note)
            found[key] = found.get(key, 0) + weight

    for e in known.values():
        for role in e.roles:
            if role.of:
                add(e.id, role.of.id, "role", role.title)
        if e.nationality:
            add(e.id, e.nationality.id, "nationality")
        if e.parent:
            add(e.id, e.parent.id, "part-of")
        if e.seat:
            add(e.id, e.seat.id, "seat")
        if e.kind is Kind.INITIATIVE:
            if e.chair:
                add(e.chair.id, e.id, "chair")
            for ref in e.members:
                add(ref.id, e.id, "member")
            for ref in e.focus:
                add(e.id, ref.id, "focus")
            for inv in e.invitations:
                status = STATUS_LABELS.get(inv.status, inv.status).lower()
                add(inv.invitee.id, e.id, "invitee", status)
                if inv.by:
                    add(inv.by.id, inv.invitee.id, "inviter", e.name)
    for claim in graph.claims.values():
        for about in dict.fromkeys(claim.about):
            add(claim.speaker, about, "spoke-about")
    together: Counter[tuple[str, str]] = Counter()
    for article in graph.articles.values():
        listed = sorted({r.id for r in (*article.actors, *article.initiatives) if r.id in known})
        together.update(combinations(listed, 2))
    for (a, b), count in together.items():
        add(a, b, "appears-with", "", count)
    return tuple(Relation(source=s, target=t, type=ty, note=n, weight=w)
                 for (s, t, ty, n), w in sorted(found.items()))


def around(entity_id: str, all_relations: tuple[Relation, ...]) -> tuple[tuple[str, tuple[Relation, ...]], ...]:
    """The neighbours of one entity with the relations to each, most important first:
    ordered by the neighbour's strongest relation type, then by shared weight, then by id."""
    by_other: dict[str, list[Relation]] = {}
    for rel in all_relations:
        if entity_id in (rel.source, rel.target):
            by_other.setdefault(rel.other(entity_id), []).append(rel)
    for rels in by_other.values():
        rels.sort(key=lambda r: (RANK[r.type], r.source, r.target, r.note))

    def order(item: tuple[str, list[Relation]]) -> tuple[int, int, str]:
        other, rels = item
        return (RANK[rels[0].type], -sum(r.weight for r in rels), other)

    return tuple((other, tuple(rels)) for other, rels in sorted(by_other.items(), key=order))
