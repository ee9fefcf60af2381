"""Benchmark of a full matching round: time, peak memory and quality.

    python -m benchmarks.matching                 # the table for 200, 1,000, 5,000, 10,000
    python -m benchmarks.matching --sizes 200 1000
    python -m benchmarks.matching --k-sweep       # how the candidates kept per person (K) trade
                                                  # quality for time
    python -m benchmarks.matching --libraries     # rustworkx vs networkx on the same graphs

A "full round" is `run_round` on a SQLite file holding synthetic profiles: loading the
pool, scoring, shortlisting, matching, explaining, and storing the round, pairs, members,
past pairings and waitlist, then committing. No Slack. Each size runs in a fresh
subprocess, so its peak resident memory (ru_maxrss, imports included) is the round's own.

Quality compares the plan's total score with the exact optimum (maximum-weight matching on
the full graph of allowed pairs) up to 1,000 people; above that, where the full graph has
12 to 50 million edges, with one solve over the whole pool keeping 30 candidates per person
(no split by level). And with a greedy baseline: best remaining pair first.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
TEAM = "TBENCH"
SEED = 2026
SIZES = (200, 1_000, 5_000, 10_000)
EXACT_UP_TO = 1_000
TARGETS = {5_000: (5.0, 500.0), 10_000: (15.0, None)}  # size: (seconds, MB)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--k-sweep", action="store_true")
    parser.add_argument("--libraries", action="store_true")
    parser.add_argument(
        "--child", choices=["setup", "round", "quality", "sweep", "libraries"], help=argparse.SUPPRESS
    )
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--k", type=int, nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "setup":
        _setup(args.size, args.db)
    elif args.child == "round":
        print(json.dumps(_round(args.db)))
    elif args.child == "quality":
        print(json.dumps(_quality(args.size)))
    elif args.child == "sweep":
        print(json.dumps(_sweep(args.size, args.k)))
    elif args.child == "libraries":
        print(json.dumps(_libraries(args.size)))
    elif args.k_sweep:
        _print_sweep()
    elif args.libraries:
        _print_libraries()
    else:
        _print_table(args.sizes)


# -- the parent: one subprocess per measurement, then a table --------------------------------


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.matching", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _print_table(sizes: Sequence[int]) -> None:
    print(f"Full round (score + match + store in SQLite, commit), synthetic profiles, seed {SEED}")
    header = (
        f"{'people':>7} {'pairs':>6} {'round s':>8} {'peak MB':>8} {'avg score':>9} "
        f"{'vs best*':>9} {'vs greedy':>9} {'target':>16}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            db = str(Path(folder) / "bench.db")
            _child("--child", "setup", "--size", str(size), "--db", db)
            run = _child("--child", "round", "--db", db)
        quality = _child("--child", "quality", "--size", str(size))
        exact = f"{quality['vs_best']:.4f}"
        seconds, megabytes = TARGETS.get(size, (None, None))
        target = " ".join(
            part
            for part in (
                f"<{seconds:g}s {'ok' if run['seconds'] < seconds else 'MISSED'}" if seconds else "",
                f"<{megabytes:g}MB {'ok' if run['peak_mb'] < megabytes else 'MISSED'}" if megabytes else "",
            )
            if part
        )
        print(
            f"{size:>7,} {run['pairs']:>6,} {run['seconds']:>8.2f} {run['peak_mb']:>8.0f} "
            f"{run['average_score']:>9.2f} {exact:>9} {quality['vs_greedy']:>9.4f} {target:>16}"
        )
    print(
        f"\n* vs best: the plan's total score / the exact optimum (maximum-weight matching on the full\n"
        f"graph of allowed pairs) up to {EXACT_UP_TO:,} people; above, / one solve of the whole pool\n"
        "with 30 candidates per person. vs greedy: / best-remaining-pair-first on the same graph."
    )


def _print_sweep() -> None:
    ks = [3, 5, 8, 10, 12, 15, 20]
    print("Candidates kept per person (K): total score vs the exact optimum, and time")
    print(
        f"{'people':>7} {'K':>3} {'edges':>8} {'pairs':>6} {'vs exact':>9} {'shortlist s':>11} {'plan s':>7}"
    )
    for size in (200, 1_000, 5_000, 10_000):
        rows = _child("--child", "sweep", "--size", str(size), "--k", *map(str, ks))
        for row in rows["rows"]:
            ratio = f"{row['ratio']:.4f}" if row["ratio"] is not None else "n/a"
            print(
                f"{size:>7,} {row['k']:>3} {row['edges']:>8,} {row['pairs']:>6,} {ratio:>9} "
                f"{row['shortlist_s']:>11.2f} {row['plan_s']:>7.2f}"
            )
    print(
        "\nshortlist s: the whole pool's shortlist alone; plan s: the whole plan (shortlist, match,\n"
        "reasons), split by level above the planner's SPLIT_ABOVE. Above 1,000 people 'vs exact' is\n"
        "against K=30 on the whole pool without the split (the full graph is too big to solve)."
    )


def _print_libraries() -> None:
    print("Maximum-weight matching (max cardinality, integer weights) on the same shortlisted graph")
    print(f"{'people':>7} {'edges':>8} {'rustworkx s':>11} {'networkx s':>10} {'same total':>10}")
    for size in (200, 1_000, 2_000):
        row = _child("--child", "libraries", "--size", str(size))
        print(
            f"{size:>7,} {row['edges']:>8,} {row['rustworkx_s']:>11.3f} {row['networkx_s']:>10.2f} "
            f"{'yes' if row['same_total'] else 'NO':>10}"
        )


# -- children ----------------------------------------------------------------------------------


def _setup(size: int, db: str) -> None:
    from sqlalchemy import insert

    from benchmarks.synthetic import synthetic_profiles
    from bot.db import make_engine, make_session_factory
    from bot.models import Base, Profile, Workspace

    engine = make_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)
    rows = [
        {
            column.key: getattr(profile, column.key)
            for column in Profile.__table__.columns
            if column.key != "id"
        }
        for profile in synthetic_profiles(size, team_id=TEAM, now=NOW, seed=SEED)
    ]
    with make_session_factory(engine).begin() as session:
        session.add(Workspace(team_id=TEAM, created_at=NOW))
        session.flush()
        session.execute(insert(Profile), rows)
    engine.dispose()
    print("{}")


def _round(db: str) -> dict[str, Any]:
    from sqlalchemy.orm import configure_mappers

    from bot.db import make_engine, make_session_factory
    from bot.services.matching import run_round

    engine = make_engine(f"sqlite:///{db}")
    session_factory = make_session_factory(engine)
    # What a running app has done long before its first round: map classes, open a connection.
    configure_mappers()
    with engine.connect():
        pass
    started = time.perf_counter()
    with session_factory.begin() as session:
        result = run_round(
            session=session,
            team_id=TEAM,
            now=NOW,
            seed=SEED,
            forbid_same_team=False,
            odd_person="trio",
            trigger="admin",
        )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pairs": result.plan.pair_count,
        "average_score": result.plan.average_score,
    }


def _pool(size: int) -> list[Any]:
    from benchmarks.synthetic import synthetic_profiles
    from bot.services.matching.scoring import Candidate

    pool = [Candidate.from_profile(p) for p in synthetic_profiles(size, team_id=TEAM, now=NOW, seed=SEED)]
    random.Random(SEED).shuffle(pool)
    return pool


def _quality(size: int) -> dict[str, Any]:
    from bot.services.matching.planner import plan_pairs
    from bot.services.matching.shortlist import PoolScorer
    from bot.services.matching.solver import best_pairs

    pool = _pool(size)
    plan = plan_pairs(pool, now=NOW, forbid_same_team=False, odd_person="waitlist", is_past=None)
    total = sum(pair.score for pair in plan.pairs)
    scorer = PoolScorer(pool, now=NOW, forbid_same_team=False)
    edges = scorer.shortlist(per_person=None if size <= EXACT_UP_TO else 30, is_past=None)
    best = _total(edges, best_pairs(size, edges))
    return {"vs_best": total / best, "vs_greedy": total / _total(edges, _greedy(edges))}


def _sweep(size: int, ks: Sequence[int]) -> dict[str, Any]:
    from bot.services.matching.planner import plan_pairs
    from bot.services.matching.shortlist import PoolScorer
    from bot.services.matching.solver import best_pairs

    pool = _pool(size)
    scorer = PoolScorer(pool, now=NOW, forbid_same_team=False)
    reference_k = None if size <= EXACT_UP_TO else 30
    edges = scorer.shortlist(per_person=reference_k, is_past=None)
    reference = _total(edges, best_pairs(size, edges))
    rows = []
    for k in ks:
        started = time.perf_counter()
        edges = scorer.shortlist(per_person=k, is_past=None)
        shortlisted = time.perf_counter()
        plan = plan_pairs(
            pool, now=NOW, forbid_same_team=False, odd_person="waitlist", is_past=None, per_person=k
        )
        planned = time.perf_counter()
        rows.append(
            {
                "k": k,
                "edges": len(edges),
                "pairs": len(plan.pairs),
                "ratio": sum(pair.score for pair in plan.pairs) / reference,
                "shortlist_s": shortlisted - started,
                "plan_s": planned - shortlisted,
            }
        )
    return {"rows": rows}


def _libraries(size: int) -> dict[str, Any]:
    import networkx as nx
    import rustworkx as rx

    from bot.services.matching.planner import PER_PERSON
    from bot.services.matching.shortlist import PoolScorer

    pool = _pool(size)
    edges = PoolScorer(pool, now=NOW, forbid_same_team=False).shortlist(per_person=PER_PERSON, is_past=None)
    weighted = [(i, j, round(score * 100)) for i, j, score in edges]

    started = time.perf_counter()
    graph = rx.PyGraph()
    graph.add_nodes_from(range(size))
    graph.add_edges_from(weighted)
    by_rustworkx = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=lambda weight: weight)
    rustworkx_s = time.perf_counter() - started

    started = time.perf_counter()
    nx_graph = nx.Graph()
    nx_graph.add_nodes_from(range(size))
    nx_graph.add_weighted_edges_from(weighted)
    by_networkx = nx.max_weight_matching(nx_graph, maxcardinality=True)
    networkx_s = time.perf_counter() - started

    def pairs(matching: Any) -> list[tuple[int, int]]:
        return [(min(i, j), max(i, j)) for i, j in matching]

    return {
        "edges": len(edges),
        "rustworkx_s": rustworkx_s,
        "networkx_s": networkx_s,
        "same_total": _total(edges, pairs(by_rustworkx)) == _total(edges, pairs(by_networkx)),
    }


def _total(edges: Sequence[tuple[int, int, float]], pairs: Sequence[tuple[int, int]]) -> float:
    score = {(i, j): s for i, j, s in edges}
    return sum(score[pair] for pair in pairs)


def _greedy(edges: Sequence[tuple[int, int, float]]) -> list[tuple[int, int]]:
    taken: set[int] = set()
    chosen = []
    for i, j, _ in sorted(edges, key=lambda edge: (-edge[2], edge[0], edge[1])):
        if i not in taken and j not in taken:
            taken.update((i, j))
            chosen.append((i, j))
    return chosen


if __name__ == "__main__":
    main()
