"""Generate a deterministic boardwatch site of N articles for benchmarks.

    python3 benchmarks/corpus.py --articles 10000 --seed 1 --out /tmp/corpus-10k

Articles are about 650 words with [[references]], plain-text mentions of known names (for
autolink), claims, revisits of earlier claims and events. Entities scale with N, and a few
actors are very popular (Zipf-like), as in real coverage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

WORDS = (
    "the of and to in a is that for on with as by at from it this an be are was were has have had "
    "not but or which their its they said would will could may more also after over about into than "
    "talks ceasefire envoy summit treaty sanctions ministers delegation proposal officials agreement "
    "border security reconstruction humanitarian aid negotiations mediator council resolution vote "
    "statement spokesman pledge warned rejected welcomed confirmed denied signalled reported "
    "diplomatic pressure framework process observers analysts government parliament coalition "
    "region capital conflict truce withdrawal monitoring mission corridor supplies funding donors "
    "members invitation chair board plan initiative leaders meeting week month year early late "
    "public private formal informal direct indirect regional international bilateral multilateral"
).split()
FIRST = ("Anna Boris Carla Dmitri Elena Farid Greta Hassan Ines Jonas Karim Lena Marco Nadia Omar Petra "
         "Rami Sofia Tomas Uma Viktor Wen Yusuf Zara").split()
LAST = ("Adler Brandt Castro Demir Eriksen Fischer Gomez Haddad Ivanova Jansen Kowalski Laurent Moreau "
        "Novak Olsen Petrov Quinn Rossi Schmidt Tanaka Ueda Varga Weber Xu Yilmaz Zimmer").split()
STATUSES = ("reported", "confirmed", "disputed", "denied", "unverified")


def _zipf_pick(rng: random.Random, items: list[str], s: float = 1.1) -> str:
    # Inverse-rank weights, precomputed per list by the caller for speed.
    return items[min(int(rng.paretovariate(s)) - 1, len(items) - 1)]


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def generate(out: Path, articles: int, seed: int) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for folder in ("articles", "people", "states", "bodies", "initiatives"):
        (out / "content" / folder).mkdir(parents=True)
    n_states = max(10, min(200, articles // 50))
    n_people = max(20, articles // 10)
    n_bodies = max(10, articles // 20)
    n_inits = max(5, articles // 100)
    states = [f"state-{i}" for i in range(n_states)]
    people: list[tuple[str, str]] = []
    used: set[str] = set()
    for i in range(n_people):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name in used:
            name = f"{name} {i}"
        used.add(name)
        people.append((f"person-{i}", name))
    bodies = [f"body-{i}" for i in range(n_bodies)]
    inits = [f"initiative-{i}" for i in range(n_inits)]
    (out / "boardwatch.yaml").write_text(
        "title: Benchmark corpus\ndescription: Generated articles for benchmarks.\n"
        "base_url: https://bench.example.org/\n", "utf-8")
    for i, sid in enumerate(states):
        _write(out / "content/states" / f"{sid}.md",
               f"name: State {i}\niso: {chr(65 + i // 26 % 26)}{chr(65 + i % 26)}\nsummary: A state.\n",
               _sentence(rng, 30))
    for pid, name in people:
        _write(out / "content/people" / f"{pid}.md",
               f"name: {name}\naliases: [\"{name.split()[-1]} of {pid}\"]\nnationality: {rng.choice(states)}\n"
               f"roles:\n  - title: Minister\n    of: {rng.choice(states)}\n    from: 2020-01-01\n",
               _sentence(rng, 40))
    for i, bid in enumerate(bodies):
        _write(out / "content/bodies" / f"{bid}.md",
               f"name: Body {i}\ntype: government\nseat: {rng.choice(states)}\n", _sentence(rng, 30))
    for i, iid in enumerate(inits):
        members = sorted({rng.choice(states) for _ in range(4)})
        inv = rng.choice(people)[0]
        _write(out / "content/initiatives" / f"{iid}.md",
               f"name: Initiative {i}\nstatus: active\nlaunched: 2020-03-01\nchair: {rng.choice(people)[0]}\n"
               f"members: [{', '.join(members)}]\nfocus: [{rng.choice(states)}]\n"
               f"invitations:\n  - invitee: {inv}\n    date: 2020-04-01\n    status: pending\n",
               _sentence(rng, 40))
    start = dt.date(2020, 1, 1)
    claims: list[str] = []
    actor_pool = [p for p, _ in people]
    for n in range(articles):
        slug = f"article-{n:06d}"
        date = start + dt.timedelta(days=n * 2000 // max(articles, 1))
        actors = sorted({_zipf_pick(rng, actor_pool) for _ in range(3)} | {rng.choice(states)})
        init = _zipf_pick(rng, inits, 1.3)
        speaker = actors[0]
        fm = [f"title: \"Analysis {n}: {' '.join(rng.choice(WORDS) for _ in range(6))}\"", f"date: {date}",
              "authors: [Bench desk]", f"actors: [{', '.join(actors)}]", f"initiatives: [{init}]",
              f"tags: [\"{rng.choice(WORDS)}\", \"{rng.choice(WORDS)}\"]", "claims:"]
        cid = f"claim-{n:06d}"
        fm += [f"  - id: {cid}", f"    speaker: {speaker}", f"    text: {_sentence(rng, 12)}",
               f"    quote: \"{' '.join(rng.choice(WORDS) for _ in range(5))}\"",
               f"    about: [{rng.choice(states)}]", f"    status: {rng.choice(STATUSES)}"]
        if claims and rng.random() < 0.3:
            fm += [f"  - revisits: {rng.choice(claims[-500:])}", f"    status: {rng.choice(STATUSES)}",
                   "    note: Later reporting changed the picture."]
        claims.append(cid)
        fm += ["events:", f"  - date: {date}", f"    title: {_sentence(rng, 8)}", f"    actors: [{speaker}]",
               f"    initiative: {init}", "    type: statement"]
        body: list[str] = []
        for para in range(8):
            sentences = [_sentence(rng, rng.randint(10, 18)) for _ in range(5)]
            if para % 2 == 0:
                ref = rng.choice(actors)
                sentences[1] = sentences[1][:-1] + f" according to [[{ref}]]."
            if para == 3:
                sentences[2] = f"{people[rng.randrange(len(people))][1]} " + sentences[2].lower()
            if para == 5:
                body.append(f"## {' '.join(rng.choice(WORDS) for _ in range(4)).capitalize()}")
            body.append(" ".join(sentences))
        _write(out / "content/articles" / str(date.year) / f"{slug}.md", "\n".join(fm) + "\n", "\n\n".join(body))


def _write(path: Path, front: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{body}\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.articles, args.seed)


if __name__ == "__main__":
    main()
