"""Train the ranker's model on questions with known answers: `python -m index train FOLDER`.

FOLDER holds documents.jsonl and questions.jsonl (plain or .xz), the format of the eval sets.
The documents are written to a temporary folder and indexed; every question's candidates get the
features the ranker computes at query time, labelled by whether the sentence overlaps an answer
span. Trees (LightGBM's LambdaMART) or a linear model (softmax over each question's candidates)
are fitted, seeded, and written as plain JSON that `index/search/ranking.py` evaluates with numpy.
Needs the `train` extra (`scripts/setup train`); answering questions never does.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import lzma
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from index.analysis.tokens import terms
from index.errors import VerbatimError
from index.search import associations, features, ranking
from index.search.question import answers

FOLDS = 2  # cross-fitting folds of the association table
HELP = "fit the ranker's model on questions with known answers (needs the train extra)"


def add_arguments(p) -> None:
    """The `train` subcommand's options."""
    p.add_argument("folder", help="folder with documents.jsonl and questions.jsonl (or .xz)")
    p.add_argument("--out", default=str(ranking.MODEL_PATH), help="model file to write")
    p.add_argument("--associations",
                   help="association table to write, fitted on the same questions "
                        f"(default: {associations.TABLE_PATH.name} beside --out)")  # fmt: skip
    p.add_argument("--kind", choices=("trees", "linear"), default="linear")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--questions", type=int, default=0, help="use only this many (0: all)")
    p.add_argument("--trees", type=int, default=150, help="most boosting rounds")
    p.add_argument("--leaves", type=int, default=31, help="leaves per tree")
    p.add_argument(
        "--objective", choices=("binary", "lambdarank"), default="lambdarank",
        help="trees' loss: LambdaMART (default) or per-sentence log loss",
    )  # fmt: skip
    p.add_argument("--fit-questions", type=int, default=20000,
                   help="fit on a seeded sample of this many questions (0: all)")  # fmt: skip
    p.add_argument("--features-cache", help="save/reuse the feature matrix here (.npz)")
    p.add_argument("--index", help="index folder for the training documents (default: temporary)")


def _lines(folder: Path, name: str) -> list[dict]:
    for path, opener in ((folder / name, open), (folder / f"{name}.xz", lzma.open)):
        if path.exists():
            with opener(path, "rt", encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
    raise VerbatimError(f"{folder} has no {name} or {name}.xz")


def _write_docs(rows: list[dict], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for row in rows:
        name = row["doc_id"].replace("/", "_") + ".txt"
        (folder / name).write_text(row["text"], encoding="utf-8", newline="")


def examples(idx, questions: list[dict], progress: bool = True, folds: list[Path] = ()):
    """(X, y, group sizes, question numbers) for the questions with a right candidate.

    `folds`: association tables, each fitted without the articles of its fold (`fold_of`); a
    question's features use its fold's, so the ranker learns what the feature is worth on
    articles the table has not seen (cross-fitting)."""
    from index.search.searcher import MAX_QUESTION_CHARS

    doc_number = {d.rsplit(".", 1)[0]: i for i, d in enumerate(idx._doc_ids)}
    xs, ys, groups, kept = [], [], [], []
    started = time.perf_counter()
    for n, q in enumerate(questions):
        if folds:
            associations.use(folds[fold_of(q["doc_id"], len(folds))])
        text = q["question"][:MAX_QUESTION_CHARS].strip()
        qtype = answers.question_type(text)
        term_ids, corrections, _ = idx._query_terms(text)
        if not term_ids:
            continue
        qset = frozenset(idx._qterms(text, corrections))
        sids, levels, blended, *_ = ranking.candidates(idx, term_ids)
        d = doc_number.get(q["doc_id"].replace("/", "_"))
        if not len(sids) or d is None:
            continue
        starts = idx._sent_start[sids]
        ends = idx._sent_end[sids]
        right = idx._sent_doc[sids] == d
        y = np.zeros(len(sids), dtype=np.int32)
        for s, e in q["answer_spans"]:
            y |= (right & (starts < e) & (s < ends)).astype(np.int32)
        if not y.any():
            continue  # nothing to learn: the answer is not among the candidates
        xs.append(features.compute(idx, term_ids, qtype, qset, text, sids, levels, blended))
        ys.append(y)
        groups.append(len(sids))
        kept.append(n)
        if progress and n % 5000 == 0:
            print(f"  features: {n}/{len(questions)} questions, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)  # fmt: skip
    associations.use(None)
    return np.concatenate(xs), np.concatenate(ys), np.array(groups), np.array(kept)


def fold_of(doc_id: str, folds: int) -> int:
    """The cross-fitting fold of an article (stable across runs and machines)."""
    return zlib.crc32(doc_id.encode("utf-8")) % folds


def association_pairs(idx, questions: list[dict]) -> list[tuple[str, list[str], list[str]]]:
    """(article, question terms, answer sentence terms) of each question whose answer starts in
    an indexed sentence: what IBM Model 1 is fitted on."""
    names = {v: k for k, v in idx._terms.items()}
    doc_number = {d.rsplit(".", 1)[0]: i for i, d in enumerate(idx._doc_ids)}
    sent_doc, start, end = (np.asarray(a) for a in (idx._sent_doc, idx._sent_start, idx._sent_end))
    first = np.searchsorted(sent_doc, np.arange(len(idx._doc_ids) + 1))
    out = []
    for q in questions:
        d = doc_number.get(q["doc_id"].replace("/", "_"))
        if d is None or not q.get("answer_spans"):
            continue
        lo, hi = int(first[d]), int(first[d + 1])
        at = q["answer_spans"][0][0]
        k = lo + int(np.searchsorted(end[lo:hi], at, side="right"))
        if k >= hi or start[k] > at:
            continue
        qt, st = terms(q["question"]), [names[t] for t in idx.sentence_terms(k)]
        if qt and st:
            out.append((q["doc_id"], qt, st))
    return out


def fit_associations(
    pairs, iterations: int = 8, least: float = 0.02, seen: int = 3
) -> dict[str, list]:
    """IBM Model 1 t(question word | sentence word) by EM (uniform start, a NULL word in every
    sentence), as `associations.json`'s rows: t >= `least` of sentence words in >= `seen` pairs
    (a word seen once or twice has its t fitted to those questions)."""
    if not pairs:
        return {}
    vocab: dict[str, int] = {"": 0}  # "" is NULL
    number = lambda w: vocab.setdefault(w, len(vocab))  # noqa: E731
    e_q, e_s, e_g, seen_in = [], [], [], collections.Counter()
    g = 0
    for _, qt, st in pairs:
        sids = [0] + [number(w) for w in st]
        seen_in.update(set(sids))
        for w in qt:
            e_q.extend([number(w)] * len(sids))
            e_s.extend(sids)
            e_g.extend([g] * len(sids))
            g += 1
    E_q, E_s, E_g = (np.array(a, dtype=np.int64) for a in (e_q, e_s, e_g))
    n = len(vocab)
    key, inv = np.unique(E_s * n + E_q, return_inverse=True)
    of_s = key // n
    t = np.ones(len(key))
    for _ in range(iterations):
        p = t[inv]
        share = p / np.bincount(E_g, weights=p, minlength=g)[E_g]
        counts = np.bincount(inv, weights=share, minlength=len(key))
        t = counts / np.bincount(of_s, weights=counts, minlength=n)[of_s]
    asked = np.bincount(E_q[np.r_[True, E_g[1:] != E_g[:-1]]], minlength=n).astype(np.float64)
    background = asked / max(1.0, asked.sum())
    seen_count = np.array([seen_in[i] for i in range(n)])
    keep = (t >= least) & (seen_count[of_s] >= seen)
    words = [""] * n
    for w, i in vocab.items():
        words[i] = w
    rows: dict[str, list] = {}
    kept = zip(key[keep].tolist(), t[keep].tolist(), strict=True)
    for k, p in sorted(kept, key=lambda x: (x[0] % n, -x[1])):  # by question word, best first
        rows.setdefault(words[k % n], []).append((words[k // n], p))
    out = {}
    for i in np.flatnonzero(asked).tolist():
        q = words[i]
        got = rows.get(q, [])
        null = next((p for w, p in got if w == ""), 0.0)
        got = [(w, p) for w, p in got if w]
        out[q] = [
            " ".join(w for w, _ in got),
            " ".join(str(round(p * associations.SCALE)) for _, p in got),
            round(null, 5),
            float(f"{background[i]:.3g}"),
        ]
    return out


def write_associations(rows: dict, path: Path, pairs: int) -> None:
    """The table as `associations.json`."""
    about = (
        f"IBM Model 1 t(question word | sentence word) x {associations.SCALE}, fitted on "
        f"{pairs} question/answer-sentence pairs by python -m index train"
    )
    body = {"format": associations.FORMAT, "about": about, **associations.pack(rows)}
    path.write_text(json.dumps(body, separators=(",", ":"), ensure_ascii=False) + "\n", "utf-8")


def _flatten(dump: dict) -> dict:
    """LightGBM's dumped trees as flat arrays; a leaf points to itself so walks can run in step."""
    feature, threshold, left, right, value, roots = [], [], [], [], [], []
    depth = 0

    def add(node: dict, level: int) -> int:
        nonlocal depth
        me = len(feature)
        feature.append(0)
        threshold.append(0.0)
        left.append(me)
        right.append(me)
        value.append(0.0)
        if "leaf_value" in node:
            value[me] = float(node["leaf_value"])
            depth = max(depth, level)
            return me
        if node.get("decision_type") != "<=":
            raise VerbatimError(f"cannot export a {node.get('decision_type')} split")
        feature[me] = int(node["split_feature"])
        threshold[me] = float(node["threshold"])
        left[me] = add(node["left_child"], level + 1)
        right[me] = add(node["right_child"], level + 1)
        return me

    for tree in dump["tree_info"]:
        roots.append(add(tree["tree_structure"], 0))
    return {
        "trees": {
            "feature": feature, "threshold": threshold, "left": left, "right": right,
            "value": value, "roots": roots, "depth": depth,
        },
        "bias": 0.0,
    }  # fmt: skip


def fit_trees(
    X, y, groups, Xv, yv, gv, seed: int, rounds: int, leaves: int, objective: str = "lambdarank"
):
    """Boosted trees (LightGBM), early-stopped on the held-out articles; (JSON body, booster)."""
    import lightgbm as lgb

    params = {
        "objective": objective,
        "metric": "ndcg" if objective == "lambdarank" else "binary_logloss",
        "eval_at": [1],
        "learning_rate": 0.1,
        "num_leaves": leaves,
        "min_data_in_leaf": 100,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambdarank_truncation_level": 20,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 2,
        "verbose": -1,
    }
    train = lgb.Dataset(X, y, group=groups, feature_name=list(features.NAMES))
    valid = lgb.Dataset(Xv, yv, group=gv, reference=train)
    booster = lgb.train(
        params, train, rounds, valid_sets=[valid],
        callbacks=[lgb.early_stopping(20, verbose=False)],
    )  # fmt: skip
    booster.free_dataset()
    dump = booster.dump_model(num_iteration=booster.best_iteration)
    return _flatten(dump), booster


def fit_linear(X, y, groups, seed: int):
    """A linear score trained with softmax cross-entropy over each question's candidates."""
    from scipy.optimize import minimize

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    owner = np.repeat(np.arange(len(groups)), groups)
    target = y / np.bincount(owner, weights=y)[owner]

    def loss(w):
        s = Z @ w[:-1] + w[-1]
        top = np.zeros(len(groups))
        np.maximum.at(top, owner, s)
        e = np.exp(s - top[owner])
        total = np.bincount(owner, weights=e)
        p = e / total[owner]
        value = -(target * np.log(p + 1e-300)).sum() + 1e-3 * (w[:-1] ** 2).sum()
        grad_s = p * np.bincount(owner, weights=target)[owner] - target
        grad = np.append(Z.T @ grad_s + 2e-3 * w[:-1], 0.0)
        return value, grad

    rng = np.random.default_rng(seed)
    w0 = rng.normal(0, 1e-3, Z.shape[1] + 1)
    w = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500}).x
    body = {"weights": w[:-1].tolist(), "bias": 0.0, "mean": mean.tolist(), "scale": scale.tolist()}
    return body


def hit_at_1(model: ranking.Model, X, y, groups) -> float:
    """Share of questions whose top-scored candidate is right (ties: the earlier candidate)."""
    s = model.score(X)
    hits, lo = 0, 0
    for g in groups.tolist():
        hits += int(y[lo + int(np.argmax(s[lo : lo + g]))])
        lo += g
    return hits / max(1, len(groups))


def cmd_train(args) -> int:
    """Index the training documents, compute features, fit, check and write the model."""
    needed = "lightgbm" if args.kind == "trees" else "scipy"
    if importlib.util.find_spec(needed) is None:  # say so now, not after the features
        raise VerbatimError(
            f"training the {args.kind} ranker needs {needed}, in the train extra: "
            "scripts/setup train"
        )
    started = time.perf_counter()
    folder = Path(args.folder)
    questions = _lines(folder, "questions.jsonl")
    rng = np.random.default_rng(args.seed)
    if args.questions:
        questions = [
            questions[i] for i in sorted(rng.permutation(len(questions))[: args.questions])
        ]
    table_out = Path(args.associations or Path(args.out).with_name(associations.TABLE_PATH.name))
    cache = Path(args.features_cache) if args.features_cache else None
    if cache is not None and cache.exists():
        if json.loads(cache.with_suffix(".json").read_text()) != list(features.NAMES):
            raise VerbatimError(f"{cache} holds other features than this code computes: delete it")
        with np.load(cache, allow_pickle=False) as z:
            X, y, groups, kept = z["X"], z["y"], z["groups"], z["kept"]
    else:
        X, y, groups, kept = _features(folder, questions, args.index, table_out)
        if cache is not None:
            np.savez(cache, X=X, y=y, groups=groups, kept=kept)
            cache.with_suffix(".json").write_text(json.dumps(list(features.NAMES)))
    feature_seconds = time.perf_counter() - started
    # Hold out a tenth of the articles (not of the questions) to stop boosting and to report.
    docs = sorted({questions[i]["doc_id"] for i in kept.tolist()})
    held = set(
        np.random.default_rng(args.seed).permutation(docs)[: max(1, len(docs) // 10)].tolist()
    )
    is_held = np.array([questions[i]["doc_id"] in held for i in kept.tolist()])
    rows = np.repeat(is_held, groups)
    use = ~is_held
    if args.fit_questions and args.fit_questions < use.sum():
        # A seeded sample: about this many questions, drawn independently of the order.
        use &= np.random.default_rng(args.seed).random(len(groups)) < args.fit_questions / len(
            groups
        )
    fit_rows = np.repeat(use, groups)
    tr = (X[fit_rows], y[fit_rows], groups[use])
    va = (X[rows], y[rows], groups[is_held])
    if args.kind == "trees":
        body, booster = fit_trees(*tr, *va, args.seed, args.trees, args.leaves, args.objective)
        model = ranking.parse_model(ranking.model_json("trees", body, {}))
        ref = booster.predict(va[0], num_iteration=booster.best_iteration)
        gap = float(np.abs(model.score(va[0]) - ref).max()) if len(ref) else 0.0
        if gap > 1e-6:
            raise VerbatimError(f"the exported trees disagree with LightGBM by {gap}")
    else:
        body = fit_linear(*tr, args.seed)
        model = ranking.parse_model(ranking.model_json("linear", body, {}))
    seconds = time.perf_counter() - started
    trained = {
        "command": " ".join(["python -m index train", *sys.argv[2:]]),
        "questions_with_a_right_candidate": len(groups),
        "fitted_on": int(use.sum()),
        "held_out_articles": len(held),
        "held_out_hit_at_1": round(hit_at_1(model, *va), 4),
        "held_out_hit_at_1_blend": round(_blend_hit(*va), 4),
        "seconds": round(seconds, 1),
    }
    out = ranking.model_json(args.kind, body, trained)
    Path(args.out).write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    print(
        f"{args.kind}: {len(groups)} questions with a right candidate "
        f"({len(held)} articles held out), features {feature_seconds:.0f} s, total {seconds:.0f} s; "
        f"held-out hit@1 {trained['held_out_hit_at_1']:.3f} "
        f"(hand-set blend {trained['held_out_hit_at_1_blend']:.3f}); wrote {args.out}"
    )
    return 0


def _blend_hit(X, y, groups) -> float:
    col = features.NAMES.index("blended")
    linear = ranking.Model("linear", {
        "weights": np.eye(len(features.NAMES))[col], "bias": 0.0,
        "mean": np.zeros(len(features.NAMES)), "scale": np.ones(len(features.NAMES)),
    })  # fmt: skip
    return hit_at_1(linear, X, y, groups)


def _features(folder: Path, questions: list[dict], index_dir: str | None, table_out: Path):
    """Index the articles; fit the association table on all pairs (written to `table_out`) and
    on each fold's complement (for cross-fitting); the features of every question."""
    from index.search.opening import open_index

    with tempfile.TemporaryDirectory(prefix="verbatim-train-") as tmp:
        docs = Path(tmp) / "docs"
        _write_docs(_lines(folder, "documents.jsonl"), docs)
        idx = open_index(docs, index_dir or Path(tmp) / "index", progress=True)
        print(f"  indexed {idx.report.documents} documents, {idx.report.sentences} sentences",
              file=sys.stderr)  # fmt: skip
        pairs = association_pairs(idx, questions)
        write_associations(fit_associations(pairs), table_out, len(pairs))
        folds = []
        for k in range(FOLDS):
            rest = [p for p in pairs if fold_of(p[0], FOLDS) != k]
            folds.append(Path(tmp) / f"associations-{k}.json")
            write_associations(fit_associations(rest), folds[-1], len(rest))
        print(f"  associations: {len(pairs)} pairs, {table_out.stat().st_size} bytes",
              file=sys.stderr)  # fmt: skip
        return examples(idx, questions, folds=folds)
