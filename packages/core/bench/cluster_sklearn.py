#!/usr/bin/env python3
"""scikit-learn side of packages/core/bench/cluster-banking77.ts --vs-sklearn (run as a child process).

Usage: python3 cluster_sklearn.py CORPUS.jsonl K SEED OUT.json
CORPUS.jsonl holds {"text": ...} lines (written by the TypeScript bench, so both sides cluster the same texts).
Runs scikit-learn's text-clustering recipe (its "Clustering text documents using k-means" example): TfidfVectorizer
(sublinear tf, min_df 2, max_df 0.5) -> TruncatedSVD(100, randomized) -> Normalizer -> KMeans and, on the same
vectors, MiniBatchKMeans, both with n_init=1 (k-means++; what n_init="auto" means from scikit-learn 1.4).
Writes the cluster labels of both and the seconds of each stage (wall and CPU of this process; BLAS/OpenMP threads
count in CPU) to OUT.json; the caller scores them against the gold labels with the same code as the engine.
"""
import json
import sys
import time

from sklearn.cluster import KMeans, MiniBatchKMeans  # noqa: E402
from sklearn.decomposition import TruncatedSVD  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.preprocessing import Normalizer  # noqa: E402


def stage(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def main():
    corpus, k, seed, out_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(corpus, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    x, tfidf_wall, tfidf_cpu = stage(lambda: TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.5).fit_transform(texts))
    v, svd_wall, svd_cpu = stage(
        lambda: Normalizer(copy=False).fit_transform(TruncatedSVD(n_components=100, random_state=seed).fit_transform(x))
    )
    km, km_wall, km_cpu = stage(lambda: KMeans(n_clusters=k, n_init=1, random_state=seed).fit(v))
    mb, mb_wall, mb_cpu = stage(lambda: MiniBatchKMeans(n_clusters=k, n_init=1, random_state=seed).fit(v))
    result = {
        "features": x.shape[1],
        "tfidf": {"wall": tfidf_wall, "cpu": tfidf_cpu},
        "svd": {"wall": svd_wall, "cpu": svd_cpu},
        "kmeans": {"wall": km_wall, "cpu": km_cpu, "iterations": int(km.n_iter_), "labels": km.labels_.tolist()},
        "minibatch": {"wall": mb_wall, "cpu": mb_cpu, "iterations": int(mb.n_iter_), "labels": mb.labels_.tolist()},
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
