#!/usr/bin/env python3
"""Scores a gan-data dedup groups file against a benchmark's truth.csv (make_dedup_benchmark.py).

Recall per kind: the fraction of near-duplicates of that kind whose hash equals their original's
(same group). Precision: of all image pairs that share a group, the fraction from one family
(pairs); and of all images the groups remove (every member but the first), the fraction whose
family is represented by another member of the group (removed). Prints a Markdown table, or JSON
with --json.

Usage: score_dedup.py GROUPS.json TRUTH.csv [--label NAME] [--subset fashion-mnist|photo] [--kinds K1,K2,..]
       [--json]
(--subset scores one part; groups are cut to that part's members.)
"""
import argparse, collections, csv, json, os


def score(groups_path, truth_path, subset=""):
    """subset: "" (all), "fashion-mnist" or "photo" (tiles): families from that part only."""
    truth = {}
    with open(truth_path) as f:
        for row in csv.DictReader(f):
            part = "fashion-mnist" if row["source"].startswith("fashion-mnist") else "photo"
            if subset and part != subset:
                continue
            truth[row["file"]] = (int(row["family"]), row["kind"])
    with open(groups_path) as f:
        g = json.load(f)
    group_of = {}
    pairs = same_pairs = removed = removed_ok = 0
    for k, grp in enumerate(g["groups"]):
        names = [os.path.basename(m["name"]) for m in grp["members"]]
        names = [n for n in names if n in truth]
        fams = [truth[n][0] for n in names]
        for n in names:
            group_of[n] = k
        if len(fams) < 2:
            continue
        n = len(fams)
        pairs += n * (n - 1) // 2
        counts = collections.Counter(fams)
        same_pairs += sum(c * (c - 1) // 2 for c in counts.values())
        removed += n - 1
        # each removed member is right when its family has another member in the group
        removed_ok += sum(c for c in counts.values() if c >= 2) - (1 if counts[fams[0]] >= 2 else 0)
    original = {}
    for name, (fam, kind) in truth.items():
        if kind == "original":
            original[fam] = name
    found = collections.Counter()
    total = collections.Counter()
    for name, (fam, kind) in truth.items():
        if kind == "original":
            continue
        total[kind] += 1
        gk = group_of.get(name)
        if gk is not None and group_of.get(original[fam]) == gk:
            found[kind] += 1
    return {
        "images": len(truth),
        "recall": {k: found[k] / total[k] for k in total},
        "recall_all": sum(found.values()) / max(1, sum(total.values())),
        "pairs": pairs,
        "precision_pairs": same_pairs / pairs if pairs else 1.0,
        "removed": removed,
        "precision_removed": removed_ok / removed if removed else 1.0,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("groups")
    ap.add_argument("truth")
    ap.add_argument("--label", default="")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--subset", default="", choices=["", "fashion-mnist", "photo"])
    ap.add_argument("--kinds", default="jpeg,resize,crop,shift,brightness", help="the recall columns, in order")
    a = ap.parse_args()
    s = score(a.groups, a.truth, a.subset)
    if a.json:
        s["label"] = a.label
        print(json.dumps(s))
        return
    kinds = a.kinds.split(",")
    print("| method | " + " | ".join(f"recall {k}" for k in kinds) + " | recall all | precision (pairs) | precision (removed) | removed |")
    print("|---|" + "---:|" * (len(kinds) + 4))
    print(f"| {a.label} | " + " | ".join(f"{s['recall'].get(k, 0):.3f}" for k in kinds) +
          f" | {s['recall_all']:.3f} | {s['precision_pairs']:.4f} | {s['precision_removed']:.4f} | {s['removed']} |")


if __name__ == "__main__":
    main()
