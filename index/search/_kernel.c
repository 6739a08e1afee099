/* The BM25 query kernel: add up the postings of a query's terms and keep the k best units.
 *
 * The work follows the postings touched: each posting is read once, each touched unit is offered
 * once to a k-sized heap, and the accumulator is reset only where it was written. The units are
 * taken a block at a time, so the accumulator is one block (256 KiB) that stays in the cache
 * however large the index. Each posting's weight is computed when it is read, from its term
 * frequency and its unit's length, so the index stores no weights: an update that changes N or
 * the average length changes no stored array. Scores are summed in the order of the query's
 * terms, exactly as rank-bm25 sums them.
 *
 * top_k(indptr: int64[], indices: int32[], tf: int32[], dl: int32[] (each posting's unit
 *       length, beside its tf: read in order, not looked up by unit),
 *       norm: float64[] (norm[l] = K1 * (1 - B + B * l / avgdl)), live: uint8[n_units] or b"",
 *       rows: list[int], idfs: list[float], k: int, n_units: int,
 *       acc: float64[block] (all zero), seen: uint8[block] (all zero))
 *   -> (ids: int64 bytearray, scores: float64 bytearray), best first, ties broken by the lower id.
 *   Units whose `live` byte is 0 are skipped (deleted documents); a block is len(acc) units.
 *
 * lookup(indptr: int64[], indices: int32[], tf: int32[], unit_len: int64[], idf: float64[],
 *        avgdl: float, terms: list[int], units: int64[n], scores: float64[n] (all zero),
 *        matched: uint8[n] (all zero))
 *   fills scores[i] with the BM25Okapi score of units[i] (each term's posting found by binary
 *   search, its weight computed as bm25.posting_weights computes it, summed in query order) and
 *   matched[i] with whether it holds a query term.
 *
 * match_terms(terms: int32[] (each candidate's window: the sentence with its neighbours of the
 *             same document, one after another), bounds: int64[n, 4] (per candidate: window
 *             start, sentence start, sentence end, window end, in `terms`),
 *             su: int64[] (the question's distinct terms, ascending), sw: float64[] (their
 *             weights), syn_t: int64[] (ascending), syn_q: int64[] (for each, the position in su
 *             of the question term it is a synonym of), pairs: int64[] (the question's adjacent
 *             term pairs as a << 32 | b, distinct, ascending), out: float64[n, 6] (all zero))
 *   fills, per candidate: the weight of the question terms the sentence holds, how many it
 *   holds, their weight in the window, the weight it holds only through a synonym, the held
 *   terms over the span of positions they cover, and the question pairs it holds side by side
 *   (a count). Sums run over su in ascending order: the bits of features.py's numpy code.
 *
 * term_windows(sids: int64[n] (one segment's numbers), doc: int32[n_sent] (each sentence's
 *              document), start: int64[n_sent + 1] (where each sentence's terms start),
 *              terms: int32 buffer or None, fd: int, offset: int (else the terms are read from
 *              file descriptor fd, the array's first byte at offset), n_terms: int, gap: int)
 *   -> (int32 bytearray: each sentence's terms with its neighbours' of the same document, the
 *       windows one after another in the order of sids; int64 bytearray of n rows (window
 *       start, sentence start, sentence end, window end) in it). Windows fewer than `gap` terms
 *   apart are read with one pread. Reads without the GIL.
 *
 * association_scores(terms: int32[], bounds: int64[n, 4] (as match_terms'), ids: int64[] (per
 *                    question word a block of sentence words' term ids, ascending, distinct),
 *                    t: float64[] (each one's t(question word | sentence word)), starts:
 *                    int64[nq + 1] (where each question word's block starts), null: float64[nq],
 *                    background: float64[nq], mix: float, out: float64[n])
 *   fills out[i] with the mean over question words q of log(mix * (null[q] + the t of q's block
 *   for each of candidate i's own sentence terms, added in order) / (its length + 1) + (1 - mix) *
 *   background[q]): associations.py's numpy code (the sums to the bit; the logs and the mean as
 *   the C library computes them, within 1e-12 of numpy's).
 *
 * dfa_visits(nextmove: uint32[], row: uint16[], out: int32[], text: bytes)
 *   -> (ids: int64 bytearray, counts: float32 bytearray) of the features py3langid's byte automaton
 *   outputs on `text` (state = nextmove[(row[state] << 8) + byte]; out[state] >= 0 is a feature),
 *   each once, in the order first met, with how many times: py3langid.langid.visit_counts'
 *   Counter, keys and values. Raises ValueError on a state outside the arrays.
 *
 * dfa_scores(nextmove: uint32[], row: uint16[], out: int32[], text: bytes, table: float32[n, k],
 *            priors: float64[k], labels: tuple of k objects = None)
 *   -> list of k probabilities: py3langid's normalized scores (its _decide) over a table restricted
 *   to k languages; with `labels`, (label, probability) pairs most likely first, equal ones in
 *   column order (py3langid's rank: Python's stable sort). Each column's raw score is the sum, over the features dfa_visits finds (in
 *   its order), of log1p(count) (in float32, as numpy's log1p of float32 counts) times the
 *   feature's row, plus its prior (none when no feature is found: every score 0); the scores
 *   are scaled by 1 / sqrt(len(text)) and softmaxed. All in double: within a few 1e-6 of
 *   py3langid's float32 numpy, without its temporaries. Raises as dfa_visits does, and
 *   IndexError on a feature past the table's rows.
 *
 * None holds the GIL while it loops; callers serialize top_k on one accumulator.
 * The index/search/bm25.py numpy code is the fallback and the reference when this is not compiled.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define K1 1.5
#define B 0.75

typedef struct {
    double score;
    int64_t id;
} Item;

/* a is worse than b: lower score, or equal score and higher id */
static int worse(const Item *a, const Item *b) {
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

static void sift_down(Item *heap, Py_ssize_t n, Py_ssize_t i) {
    for (;;) {
        Py_ssize_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&heap[l], &heap[m])) m = l;
        if (r < n && worse(&heap[r], &heap[m])) m = r;
        if (m == i) return;
        Item t = heap[i]; heap[i] = heap[m]; heap[m] = t;
        i = m;
    }
}

static void sift_up(Item *heap, Py_ssize_t i) {
    while (i > 0) {
        Py_ssize_t p = (i - 1) / 2;
        if (!worse(&heap[i], &heap[p])) return;
        Item t = heap[i]; heap[i] = heap[p]; heap[p] = t;
        i = p;
    }
}

static int cmp_best_first(const void *x, const void *y) {
    const Item *a = x, *b = y;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static PyObject *top_k(PyObject *self, PyObject *args) {
    Py_buffer ptr_b, idx_b, tf_b, len_b, norm_b, live_b, acc_b, seen_b;
    PyObject *rows, *idfs;
    Py_ssize_t k;
    Py_ssize_t n_units;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*OOnnw*w*", &ptr_b, &idx_b, &tf_b, &len_b, &norm_b,
                          &live_b, &rows, &idfs, &k, &n_units, &acc_b, &seen_b))
        return NULL;
    PyObject *result = NULL;
    int32_t *touched = NULL;
    Item *heap = NULL;
    long *query = NULL;
    double *weight = NULL;
    int64_t *at = NULL;
    const int64_t *indptr = ptr_b.buf;
    const int32_t *indices = idx_b.buf, *tf = tf_b.buf, *dl = len_b.buf;
    const double *norm = norm_b.buf;
    const uint8_t *live = live_b.len ? live_b.buf : NULL;
    double *acc = acc_b.buf;
    uint8_t *seen = seen_b.buf;
    Py_ssize_t n_terms = ptr_b.len / 8 - 1, n_acc = acc_b.len / 8, n_norm = norm_b.len / 8;
    Py_ssize_t n_postings = idx_b.len / 4;
    Py_ssize_t n_query = PyList_Check(rows) ? PyList_Size(rows) : -1;
    if (n_query < 0 || !PyList_Check(idfs) || PyList_Size(idfs) != n_query || k < 0 ||
        n_units < 0 || seen_b.len != n_acc || (n_units && !n_acc) ||
        len_b.len / 4 != n_postings || tf_b.len / 4 != n_postings ||
        (live && live_b.len != n_units)) {
        PyErr_SetString(PyExc_ValueError, "top_k: bad arguments");
        goto done;
    }
    query = malloc(sizeof(long) * (n_query ? n_query : 1));
    weight = malloc(sizeof(double) * (n_query ? n_query : 1));
    if (!query || !weight) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t q = 0; q < n_query; q++) {
        long t = PyLong_AsLong(PyList_GET_ITEM(rows, q));
        double w = PyFloat_AsDouble(PyList_GET_ITEM(idfs, q));
        if (PyErr_Occurred()) goto done;
        if (t < 0 || t >= n_terms) {
            PyErr_SetString(PyExc_IndexError, "top_k: term out of range");
            goto done;
        }
        if (indptr[t] < 0 || indptr[t] > indptr[t + 1] || indptr[t + 1] > n_postings) {
            PyErr_SetString(PyExc_ValueError, "top_k: postings out of range");
            goto done;
        }
        query[q] = t;
        weight[q] = w;
    }
    touched = malloc(sizeof(int32_t) * (n_acc ? n_acc : 1));
    heap = malloc(sizeof(Item) * (k ? k : 1));
    at = malloc(sizeof(int64_t) * (n_query ? n_query : 1));
    if (!touched || !heap || !at) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t q = 0; q < n_query; q++) at[q] = indptr[query[q]];
    Py_ssize_t n_touched = 0, n_heap = 0;
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    /* Units are taken a block at a time (the accumulator holds one block: it stays in the cache
     * instead of missing it once a posting); each term's postings are walked in order across the
     * blocks, and a unit's score is still summed in the order of the query's terms. */
    for (int64_t base = 0; base < n_units && !bad; base += n_acc) {
        int64_t limit = base + n_acc;
        for (Py_ssize_t q = 0; q < n_query && !bad; q++) {
            double idf = weight[q];
            int64_t p = at[q], end = indptr[query[q] + 1];
            for (; p < end; p++) {
                int32_t u = indices[p];
                if (u >= limit) break;
                if (u < base || u >= n_units) continue; /* out of order or range: damaged */
                if (live && !live[u]) continue;
                int32_t l = dl[p];
                if (l < 0 || l >= n_norm) {
                    bad = 1;
                    break;
                }
                int32_t slot = u - base;
                if (!seen[slot]) {
                    seen[slot] = 1;
                    touched[n_touched++] = slot;
                }
                /* the expression and operation order of bm25.posting_weights (rank-bm25's) */
                double q_freq = (double)tf[p];
                acc[slot] += idf * (q_freq * (K1 + 1) / (q_freq + norm[l]));
            }
            at[q] = p;
        }
        for (Py_ssize_t i = 0; i < n_touched; i++) {
            int32_t slot = touched[i];
            Item it = {acc[slot], base + slot};
            if (!bad) {
                if (n_heap < k) {
                    heap[n_heap] = it;
                    sift_up(heap, n_heap++);
                } else if (k > 0 && worse(&heap[0], &it)) {
                    heap[0] = it;
                    sift_down(heap, n_heap, 0);
                }
            }
            acc[slot] = 0.0;
            seen[slot] = 0;
        }
        n_touched = 0;
    }
    if (!bad) qsort(heap, n_heap, sizeof(Item), cmp_best_first);
    Py_END_ALLOW_THREADS
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "top_k: a unit length has no norm");
        goto done;
    }
    /* the ids and scores as int64 and float64 bytes (numpy reads them without a copy) */
    int64_t *ids_out = malloc(sizeof(int64_t) * (n_heap ? n_heap : 1));
    double *scores_out = malloc(sizeof(double) * (n_heap ? n_heap : 1));
    if (!ids_out || !scores_out) {
        free(ids_out);
        free(scores_out);
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_heap; i++) {
        ids_out[i] = heap[i].id;
        scores_out[i] = heap[i].score;
    }
    PyObject *ids = PyByteArray_FromStringAndSize((const char *)ids_out, n_heap * 8);
    PyObject *scores = PyByteArray_FromStringAndSize((const char *)scores_out, n_heap * 8);
    free(ids_out);
    free(scores_out);
    if (ids && scores) result = PyTuple_Pack(2, ids, scores);
    Py_XDECREF(ids);
    Py_XDECREF(scores);
done:
    free(query);
    free(weight);
    free(touched);
    free(heap);
    free(at);
    PyBuffer_Release(&ptr_b);
    PyBuffer_Release(&idx_b);
    PyBuffer_Release(&tf_b);
    PyBuffer_Release(&len_b);
    PyBuffer_Release(&norm_b);
    PyBuffer_Release(&live_b);
    PyBuffer_Release(&acc_b);
    PyBuffer_Release(&seen_b);
    return result;
}

static PyObject *lookup(PyObject *self, PyObject *args) {
    Py_buffer ptr_b, idx_b, tf_b, len_b, idf_b, units_b, scores_b, matched_b;
    double avgdl;
    PyObject *terms;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*dOy*w*w*", &ptr_b, &idx_b, &tf_b, &len_b, &idf_b,
                          &avgdl, &terms, &units_b, &scores_b, &matched_b))
        return NULL;
    PyObject *result = NULL;
    long *query = NULL;
    const int64_t *indptr = ptr_b.buf, *unit_len = len_b.buf, *units = units_b.buf;
    const int32_t *indices = idx_b.buf, *tf = tf_b.buf;
    const double *idf = idf_b.buf;
    double *scores = scores_b.buf;
    uint8_t *matched = matched_b.buf;
    Py_ssize_t n_terms = ptr_b.len / 8 - 1, n_postings = idx_b.len / 4, n_len = len_b.len / 8;
    Py_ssize_t n = units_b.len / 8, n_query = PyList_Check(terms) ? PyList_Size(terms) : -1;
    if (n_query < 0 || scores_b.len != n * 8 || matched_b.len != n || tf_b.len / 4 != n_postings ||
        idf_b.len / 8 != n_terms || avgdl <= 0) {
        PyErr_SetString(PyExc_ValueError, "lookup: bad arguments");
        goto done;
    }
    query = malloc(sizeof(long) * (n_query ? n_query : 1));
    if (!query) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t q = 0; q < n_query; q++) {
        long t = PyLong_AsLong(PyList_GET_ITEM(terms, q));
        if (t < 0 || t >= n_terms || indptr[t] < 0 || indptr[t] > indptr[t + 1] ||
            indptr[t + 1] > n_postings) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "lookup: term out of range");
            goto done;
        }
        query[q] = t;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (units[i] < 0 || units[i] >= n_len) {
            PyErr_SetString(PyExc_IndexError, "lookup: unit out of range");
            goto done;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t q = 0; q < n_query; q++) {
        long t = query[q];
        int64_t lo = indptr[t], hi = indptr[t + 1], from = lo, last = INT64_MIN;
        for (Py_ssize_t i = 0; i < n && lo < hi; i++) {
            int64_t u = units[i];
            int64_t a = lo, b = hi;
            if (u >= last) { /* ascending units (as callers pass them): gallop on from the last */
                int64_t step = 1;
                a = b = from;
                while (b < hi && indices[b] < u) {
                    a = b + 1;
                    b += step;
                    step *= 2;
                }
                if (b > hi) b = hi;
            }
            while (a < b) { /* the first posting whose unit is >= u */
                int64_t m = a + (b - a) / 2;
                if (indices[m] < u) a = m + 1; else b = m;
            }
            from = a;
            last = u;
            if (a == hi || indices[a] != u) continue;
            /* the expression and operation order of bm25.posting_weights */
            double q_freq = (double)tf[a], doc_len = (double)unit_len[u];
            scores[i] += idf[t] * (q_freq * (K1 + 1) / (q_freq + K1 * ((1 - B) + B * doc_len / avgdl)));
            matched[i] = 1;
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    free(query);
    PyBuffer_Release(&ptr_b);
    PyBuffer_Release(&idx_b);
    PyBuffer_Release(&tf_b);
    PyBuffer_Release(&len_b);
    PyBuffer_Release(&idf_b);
    PyBuffer_Release(&units_b);
    PyBuffer_Release(&scores_b);
    PyBuffer_Release(&matched_b);
    return result;
}

/* The first position in sorted a[0, n) holding v, or -1. */
static Py_ssize_t find(const int64_t *a, Py_ssize_t n, int64_t v) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t m = lo + (hi - lo) / 2;
        if (a[m] < v) lo = m + 1; else hi = m;
    }
    return lo < n && a[lo] == v ? lo : -1;
}

static PyObject *match_terms(PyObject *self, PyObject *args) {
    Py_buffer t_b, bd_b, su_b, sw_b, st_b, sq_b, qp_b, out_b;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*w*", &t_b, &bd_b, &su_b, &sw_b, &st_b, &sq_b,
                          &qp_b, &out_b))
        return NULL;
    PyObject *result = NULL;
    uint8_t *own = NULL, *near = NULL, *syn = NULL, *pair = NULL;
    const int32_t *terms = t_b.buf;
    const int64_t *bounds = bd_b.buf, *su = su_b.buf, *syn_t = st_b.buf, *syn_q = sq_b.buf;
    const int64_t *qp = qp_b.buf;
    const double *sw = sw_b.buf;
    double *out = out_b.buf;
    Py_ssize_t n_terms = t_b.len / 4, n = bd_b.len / 32, n_su = su_b.len / 8;
    Py_ssize_t n_syn = st_b.len / 8, n_qp = qp_b.len / 8;
    if (sw_b.len != su_b.len || sq_b.len != st_b.len || out_b.len != n * 48) {
        PyErr_SetString(PyExc_ValueError, "match_terms: bad arguments");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const int64_t *b = bounds + 4 * i;
        if (b[0] < 0 || b[0] > b[1] || b[1] > b[2] || b[2] > b[3] || b[3] > n_terms) {
            PyErr_SetString(PyExc_IndexError, "match_terms: window out of range");
            goto done;
        }
    }
    for (Py_ssize_t j = 0; j < n_syn; j++) {
        if (syn_q[j] < 0 || syn_q[j] >= n_su) {
            PyErr_SetString(PyExc_IndexError, "match_terms: synonym of no question term");
            goto done;
        }
    }
    own = calloc(n_su + 1, 1);
    near = calloc(n_su + 1, 1);
    syn = calloc(n_su + 1, 1);
    pair = calloc(n_qp + 1, 1);
    if (!own || !near || !syn || !pair) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        const int64_t *b = bounds + 4 * i;
        memset(own, 0, n_su);
        memset(near, 0, n_su);
        memset(syn, 0, n_su);
        memset(pair, 0, n_qp);
        int64_t first = -1, last = -1;
        for (int64_t p = b[0]; p < b[3]; p++) {
            Py_ssize_t j = find(su, n_su, terms[p]);
            if (j >= 0) near[j] = 1;
            if (p < b[1] || p >= b[2]) continue;
            if (j >= 0) {
                own[j] = 1;
                if (first < 0) first = p;
                last = p;
            }
            /* an id may stand for several question terms (a phrase's): find gives its first */
            Py_ssize_t y = find(syn_t, n_syn, terms[p]);
            for (; y >= 0 && y < n_syn && syn_t[y] == terms[p]; y++) syn[syn_q[y]] = 1;
            if (p + 1 < b[2]) {
                Py_ssize_t x = find(qp, n_qp, ((int64_t)terms[p] << 32) + terms[p + 1]);
                if (x >= 0) pair[x] = 1;
            }
        }
        double got = 0.0, count = 0.0, in_near = 0.0, through = 0.0, pairs = 0.0;
        for (Py_ssize_t j = 0; j < n_su; j++) {
            if (own[j]) { got += sw[j]; count += 1; }
            if (near[j]) in_near += sw[j];
            if (syn[j] && !own[j]) through += sw[j];
        }
        for (Py_ssize_t x = 0; x < n_qp; x++) pairs += pair[x];
        double *o = out + 6 * i;
        o[0] = got;
        o[1] = count;
        o[2] = in_near;
        o[3] = through;
        o[4] = first >= 0 ? count / (double)(last - first + 1) : 0.0;
        o[5] = pairs;
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    free(own);
    free(near);
    free(syn);
    free(pair);
    PyBuffer_Release(&t_b);
    PyBuffer_Release(&bd_b);
    PyBuffer_Release(&su_b);
    PyBuffer_Release(&sw_b);
    PyBuffer_Release(&st_b);
    PyBuffer_Release(&sq_b);
    PyBuffer_Release(&qp_b);
    PyBuffer_Release(&out_b);
    return result;
}

typedef struct {
    int64_t w0, w1;
    Py_ssize_t i;
} Window;

static int cmp_window(const void *x, const void *y) {
    const Window *a = x, *b = y;
    if (a->w0 != b->w0) return a->w0 < b->w0 ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Read count int32 terms from position lo: from the buffer, or with pread. 0, or errno. */
static int read_terms(const int32_t *buf, int fd, int64_t offset, int64_t lo, int64_t count,
                      int32_t *out) {
    if (buf) {
        memcpy(out, buf + lo, count * 4);
        return 0;
    }
    char *dst = (char *)out;
    int64_t want = count * 4, at = offset + lo * 4;
    while (want > 0) {
        ssize_t got = pread(fd, dst, want, at);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return errno;
        if (got == 0) return EIO; /* the file was cut short */
        dst += got;
        at += got;
        want -= got;
    }
    return 0;
}

static PyObject *term_windows(PyObject *self, PyObject *args) {
    Py_buffer sid_b, doc_b, start_b;
    PyObject *terms_obj;
    int fd;
    long long offset, n_terms, gap;
    if (!PyArg_ParseTuple(args, "y*y*y*OiLLL", &sid_b, &doc_b, &start_b, &terms_obj, &fd, &offset,
                          &n_terms, &gap))
        return NULL;
    PyObject *result = NULL;
    Py_buffer terms_b = {0};
    int have_terms = 0;
    Window *win = NULL;
    int64_t *bounds = NULL, *run_at = NULL;
    int32_t *scratch = NULL, *out = NULL;
    const int64_t *sids = sid_b.buf, *start = start_b.buf;
    const int32_t *doc = doc_b.buf;
    Py_ssize_t n = sid_b.len / 8, n_sent = doc_b.len / 4;
    if (terms_obj != Py_None) {
        if (PyObject_GetBuffer(terms_obj, &terms_b, PyBUF_SIMPLE) < 0) goto done;
        have_terms = 1;
        n_terms = terms_b.len / 4;
    }
    if (start_b.len / 8 != n_sent + 1 || n_terms < 0 || gap < 0) {
        PyErr_SetString(PyExc_ValueError, "term_windows: bad arguments");
        goto done;
    }
    Py_ssize_t m = n ? n : 1;
    win = malloc(sizeof(Window) * m);
    bounds = malloc(sizeof(int64_t) * 4 * m);
    run_at = malloc(sizeof(int64_t) * m);
    if (!win || !bounds || !run_at) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t sid = sids[i];
        if (sid < 0 || sid >= n_sent) {
            PyErr_SetString(PyExc_IndexError, "term_windows: sentence out of range");
            goto done;
        }
        int64_t lo = sid > 0 && doc[sid - 1] == doc[sid] ? sid - 1 : sid;
        int64_t hi = sid + 1 < n_sent && doc[sid + 1] == doc[sid] ? sid + 1 : sid;
        int64_t *b = bounds + 4 * i;
        b[0] = start[lo];
        b[1] = start[sid];
        b[2] = start[sid + 1];
        b[3] = start[hi + 1];
        if (b[0] < 0 || b[0] > b[1] || b[1] > b[2] || b[2] > b[3] || b[3] > n_terms) {
            PyErr_SetString(PyExc_ValueError, "term_windows: sentence terms out of range");
            goto done;
        }
        win[i] = (Window){b[0], b[3], i};
        total += b[3] - b[0];
    }
    qsort(win, n, sizeof(Window), cmp_window);
    /* runs of windows: read each once into scratch; run_at[i]: window i's place in scratch */
    int64_t scratch_len = 0;
    for (Py_ssize_t j = 0, r = 0; j < n; j = r) {
        int64_t r0 = win[j].w0, r1 = win[j].w1;
        for (r = j + 1; r < n && win[r].w0 <= r1 + gap; r++)
            if (win[r].w1 > r1) r1 = win[r].w1;
        scratch_len += r1 - r0;
    }
    scratch = malloc(4 * (scratch_len ? scratch_len : 1));
    out = malloc(4 * (total ? total : 1));
    if (!scratch || !out) {
        PyErr_NoMemory();
        goto done;
    }
    int err = 0;
    Py_BEGIN_ALLOW_THREADS
    int64_t filled = 0;
    for (Py_ssize_t j = 0, r = 0; j < n && !err; j = r) {
        int64_t r0 = win[j].w0, r1 = win[j].w1;
        for (r = j + 1; r < n && win[r].w0 <= r1 + gap; r++)
            if (win[r].w1 > r1) r1 = win[r].w1;
        err = read_terms(have_terms ? terms_b.buf : NULL, fd, offset, r0, r1 - r0,
                         scratch + filled);
        for (Py_ssize_t x = j; x < r; x++) run_at[win[x].i] = filled + win[x].w0 - r0;
        filled += r1 - r0;
    }
    int64_t pos = 0;
    for (Py_ssize_t i = 0; i < n && !err; i++) {
        int64_t *b = bounds + 4 * i, size = b[3] - b[0];
        memcpy(out + pos, scratch + run_at[i], size * 4);
        int64_t w0 = b[0];
        for (int c = 0; c < 4; c++) b[c] = pos + b[c] - w0;
        pos += size;
    }
    Py_END_ALLOW_THREADS
    if (err) {
        errno = err;
        PyErr_SetFromErrno(PyExc_OSError);
        goto done;
    }
    PyObject *t = PyByteArray_FromStringAndSize((const char *)out, total * 4);
    PyObject *rows = PyByteArray_FromStringAndSize((const char *)bounds, n * 32);
    if (t && rows) result = PyTuple_Pack(2, t, rows);
    Py_XDECREF(t);
    Py_XDECREF(rows);
done:
    free(win);
    free(bounds);
    free(run_at);
    free(scratch);
    free(out);
    if (have_terms) PyBuffer_Release(&terms_b);
    PyBuffer_Release(&sid_b);
    PyBuffer_Release(&doc_b);
    PyBuffer_Release(&start_b);
    return result;
}

static PyObject *association_scores(PyObject *self, PyObject *args) {
    Py_buffer t_b, bd_b, id_b, w_b, st_b, nu_b, bg_b, out_b;
    double mix;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*dw*", &t_b, &bd_b, &id_b, &w_b, &st_b, &nu_b,
                          &bg_b, &mix, &out_b))
        return NULL;
    PyObject *result = NULL;
    double *acc = NULL;
    const int32_t *terms = t_b.buf;
    const int64_t *bounds = bd_b.buf, *ids = id_b.buf, *starts = st_b.buf;
    const double *w = w_b.buf, *null = nu_b.buf, *bg = bg_b.buf;
    double *out = out_b.buf;
    Py_ssize_t n_terms = t_b.len / 4, n = bd_b.len / 32, n_ids = id_b.len / 8;
    Py_ssize_t nq = st_b.len / 8 - 1;
    if (nq < 1 || w_b.len != id_b.len || nu_b.len != nq * 8 || bg_b.len != nq * 8 ||
        out_b.len != n * 8 || starts[0] != 0 || starts[nq] != n_ids) {
        PyErr_SetString(PyExc_ValueError, "association_scores: bad arguments");
        goto done;
    }
    for (Py_ssize_t q = 0; q < nq; q++) {
        if (starts[q] > starts[q + 1]) {
            PyErr_SetString(PyExc_ValueError, "association_scores: bad block starts");
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const int64_t *b = bounds + 4 * i;
        if (b[1] < 0 || b[1] > b[2] || b[2] > n_terms) {
            PyErr_SetString(PyExc_IndexError, "association_scores: sentence out of range");
            goto done;
        }
    }
    acc = malloc(nq * sizeof(double));
    if (!acc) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const int64_t *b = bounds + 4 * i;
        for (Py_ssize_t q = 0; q < nq; q++) acc[q] = 0.0;
        for (int64_t at = b[1]; at < b[2]; at++) {
            int64_t v = terms[at];
            for (Py_ssize_t q = 0; q < nq; q++) {
                Py_ssize_t lo = starts[q], hi = starts[q + 1];
                while (lo < hi) {
                    Py_ssize_t m = lo + (hi - lo) / 2;
                    if (ids[m] < v) lo = m + 1; else hi = m;
                }
                if (lo < starts[q + 1] && ids[lo] == v) acc[q] += w[lo];
            }
        }
        double length = (double)(b[2] - b[1]) + 1.0, total = 0.0;
        for (Py_ssize_t q = 0; q < nq; q++)
            total += log(mix * ((acc[q] + null[q]) / length) + (1.0 - mix) * bg[q]);
        out[i] = total / (double)nq;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    free(acc);
    PyBuffer_Release(&t_b);
    PyBuffer_Release(&bd_b);
    PyBuffer_Release(&id_b);
    PyBuffer_Release(&w_b);
    PyBuffer_Release(&st_b);
    PyBuffer_Release(&nu_b);
    PyBuffer_Release(&bg_b);
    PyBuffer_Release(&out_b);
    return result;
}

/* The automaton walk of dfa_visits: each feature once, in first-met order, with its count.
 * Returns the number of features, -1 on a state outside the arrays (ids, counts: n slots). */
static Py_ssize_t walk(const uint32_t *nm, Py_ssize_t n_nm, const uint16_t *row, Py_ssize_t n_row,
                       const int32_t *out, Py_ssize_t n_out, const unsigned char *text,
                       Py_ssize_t n, int64_t *ids, float *counts, Py_ssize_t *table,
                       Py_ssize_t size) {
    Py_ssize_t n_ids = 0;
    uint32_t state = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if ((Py_ssize_t)state >= n_row) return -1;
        Py_ssize_t at = ((Py_ssize_t)row[state] << 8) + text[i];
        if (at >= n_nm) return -1;
        state = nm[at];
        if ((Py_ssize_t)state >= n_out) return -1;
        int32_t f = out[state];
        if (f < 0) continue;
        size_t h = ((uint32_t)f * 2654435761u) & (size - 1);
        while (table[h] && ids[table[h] - 1] != f) h = (h + 1) & (size - 1);
        if (table[h]) {
            counts[table[h] - 1] += 1.0f;
        } else {
            ids[n_ids] = f;
            counts[n_ids] = 1.0f;
            table[h] = ++n_ids;
        }
    }
    return n_ids;
}

static PyObject *dfa_visits(PyObject *self, PyObject *args) {
    Py_buffer nm_b, row_b, out_b, text_b;
    if (!PyArg_ParseTuple(args, "y*y*y*y*", &nm_b, &row_b, &out_b, &text_b)) return NULL;
    Py_ssize_t n = text_b.len, size = 16, n_ids = 0;
    while (size < 2 * n) size *= 2;
    PyObject *result = NULL;
    /* ids and counts in first-met order; table: open addressing from feature to slot + 1 */
    int64_t *ids = malloc((n ? n : 1) * sizeof(int64_t));
    float *counts = malloc((n ? n : 1) * sizeof(float));
    Py_ssize_t *table = calloc(size, sizeof(Py_ssize_t));
    if (!ids || !counts || !table) {
        PyErr_NoMemory();
        goto done;
    }
    n_ids = walk(nm_b.buf, nm_b.len / 4, row_b.buf, row_b.len / 2, out_b.buf, out_b.len / 4,
                 text_b.buf, n, ids, counts, table, size);
    if (n_ids < 0) {
        PyErr_SetString(PyExc_ValueError, "dfa_visits: a state outside the automaton's arrays");
        goto done;
    }
    result = Py_BuildValue("(y#y#)", (const char *)ids, n_ids * (Py_ssize_t)sizeof(int64_t),
                           (const char *)counts, n_ids * (Py_ssize_t)sizeof(float));
done:
    free(ids);
    free(counts);
    free(table);
    PyBuffer_Release(&nm_b);
    PyBuffer_Release(&row_b);
    PyBuffer_Release(&out_b);
    PyBuffer_Release(&text_b);
    return result;
}

static PyObject *dfa_scores(PyObject *self, PyObject *args) {
    Py_buffer nm_b, row_b, out_b, text_b, tab_b, pr_b;
    PyObject *labels = Py_None;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*|O", &nm_b, &row_b, &out_b, &text_b, &tab_b, &pr_b,
                          &labels))
        return NULL;
    Py_ssize_t n = text_b.len, size = 16, n_ids = 0, k = pr_b.len / 8;
    while (size < 2 * n) size *= 2;
    PyObject *result = NULL;
    int64_t *ids = malloc((n ? n : 1) * sizeof(int64_t));
    float *counts = malloc((n ? n : 1) * sizeof(float));
    Py_ssize_t *table = calloc(size, sizeof(Py_ssize_t));
    double *acc = calloc(k > 0 ? k : 1, sizeof(double));
    Py_ssize_t *order = malloc((k > 0 ? k : 1) * sizeof(Py_ssize_t));
    const float *tab = tab_b.buf;
    const double *priors = pr_b.buf;
    Py_ssize_t n_rows = k > 0 ? tab_b.len / 4 / k : 0;
    if (!ids || !counts || !table || !acc || !order) {
        PyErr_NoMemory();
        goto done;
    }
    if (k < 1 || pr_b.len != k * 8 || tab_b.len != n_rows * k * 4) {
        PyErr_SetString(PyExc_ValueError, "dfa_scores: the table is not k float32 columns");
        goto done;
    }
    if (labels != Py_None && (!PyTuple_Check(labels) || PyTuple_GET_SIZE(labels) != k)) {
        PyErr_SetString(PyExc_ValueError, "dfa_scores: labels must be a tuple of k");
        goto done;
    }
    n_ids = walk(nm_b.buf, nm_b.len / 4, row_b.buf, row_b.len / 2, out_b.buf, out_b.len / 4,
                 text_b.buf, n, ids, counts, table, size);
    if (n_ids < 0) {
        PyErr_SetString(PyExc_ValueError, "dfa_scores: a state outside the automaton's arrays");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_ids; i++) {
        if (ids[i] >= n_rows) {
            PyErr_SetString(PyExc_IndexError, "dfa_scores: a feature past the table's rows");
            goto done;
        }
        double weight = (double)log1pf(counts[i]);
        const float *r = tab + ids[i] * k;
        for (Py_ssize_t c = 0; c < k; c++) acc[c] += weight * (double)r[c];
    }
    double scale = 1.0 / sqrt((double)(n ? n : 1)), top = -HUGE_VAL, total = 0.0;
    for (Py_ssize_t c = 0; c < k; c++) {
        acc[c] = n_ids ? (acc[c] + priors[c]) * scale : 0.0;
        if (acc[c] > top) top = acc[c];
    }
    for (Py_ssize_t c = 0; c < k; c++) total += acc[c] = exp(acc[c] - top);
    for (Py_ssize_t c = 0; c < k; c++) acc[c] /= total;
    /* the columns' order: as given, or most likely first (an insertion sort: stable) */
    for (Py_ssize_t c = 0; c < k; c++) order[c] = c;
    for (Py_ssize_t c = 1; labels != Py_None && c < k; c++) {
        Py_ssize_t x = order[c], j = c;
        for (; j > 0 && acc[order[j - 1]] < acc[x]; j--) order[j] = order[j - 1];
        order[j] = x;
    }
    result = PyList_New(k);
    if (!result) goto done;
    for (Py_ssize_t c = 0; c < k; c++) {
        PyObject *v = PyFloat_FromDouble(acc[order[c]]);
        if (v && labels != Py_None) {
            PyObject *label = PyTuple_GET_ITEM(labels, order[c]);
            PyObject *pair = PyTuple_Pack(2, label, v);
            Py_DECREF(v);
            v = pair;
        }
        if (!v) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, c, v);
    }
done:
    free(ids);
    free(counts);
    free(table);
    free(acc);
    free(order);
    PyBuffer_Release(&nm_b);
    PyBuffer_Release(&row_b);
    PyBuffer_Release(&out_b);
    PyBuffer_Release(&text_b);
    PyBuffer_Release(&tab_b);
    PyBuffer_Release(&pr_b);
    return result;
}

static PyMethodDef methods[] = {
    {"dfa_visits", dfa_visits, METH_VARARGS, "py3langid's automaton walk: (ids, counts)."},
    {"dfa_scores", dfa_scores, METH_VARARGS, "py3langid's scores over a restricted table."},
    {"association_scores", association_scores, METH_VARARGS, "Association log-likelihoods."},
    {"top_k", top_k, METH_VARARGS, "The k best units of a query's postings: (ids, scores)."},
    {"lookup", lookup, METH_VARARGS, "BM25 scores of given units: fills scores and matched."},
    {"match_terms", match_terms, METH_VARARGS, "Question terms in candidate sentences: fills out."},
    {"term_windows", term_windows, METH_VARARGS, "Sentences' terms with their neighbours'."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&module); }
