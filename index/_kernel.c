/* The BM25 query kernel: add up the postings of a query's terms and keep the k best units.
 *
 * The work follows the postings touched: each posting is read once, each touched unit is offered
 * once to a k-sized heap, and the accumulator is reset only where it was written. Scores are
 * summed in the order of the query's terms, exactly as rank-bm25 sums them.
 *
 * top_k(indptr: int64[], indices: int32[], weights: float64[], terms: list[int], k: int,
 *       acc: float64[n_units] (all zero), seen: uint8[n_units] (all zero))
 *   -> (list[int] ids, list[float] scores), best first, ties broken by the lower id.
 * The index/bm25.py numpy code is the fallback and the reference when this is not compiled.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

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
    Py_buffer ptr_b, idx_b, w_b, acc_b, seen_b;
    PyObject *terms;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "y*y*y*Onw*w*", &ptr_b, &idx_b, &w_b, &terms, &k, &acc_b, &seen_b))
        return NULL;
    PyObject *result = NULL;
    int32_t *touched = NULL;
    Item *heap = NULL;
    const int64_t *indptr = ptr_b.buf;
    const int32_t *indices = idx_b.buf;
    const double *weights = w_b.buf;
    double *acc = acc_b.buf;
    uint8_t *seen = seen_b.buf;
    Py_ssize_t n_terms = ptr_b.len / 8 - 1, n_units = acc_b.len / 8;
    Py_ssize_t n_query = PyList_Size(terms);
    if (n_query < 0 || k < 0 || seen_b.len != n_units) {
        PyErr_SetString(PyExc_ValueError, "top_k: bad arguments");
        goto done;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t q = 0; q < n_query; q++) {
        long t = PyLong_AsLong(PyList_GET_ITEM(terms, q));
        if (t < 0 || t >= n_terms) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "top_k: term out of range");
            goto done;
        }
        total += indptr[t + 1] - indptr[t];
    }
    touched = malloc(sizeof(int32_t) * (total ? total : 1));
    heap = malloc(sizeof(Item) * (k ? k : 1));
    if (!touched || !heap) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n_touched = 0;
    for (Py_ssize_t q = 0; q < n_query; q++) {
        long t = PyLong_AsLong(PyList_GET_ITEM(terms, q));
        for (int64_t p = indptr[t]; p < indptr[t + 1]; p++) {
            int32_t u = indices[p];
            if (u < 0 || u >= n_units) continue;
            if (!seen[u]) {
                seen[u] = 1;
                touched[n_touched++] = u;
            }
            acc[u] += weights[p];
        }
    }
    Py_ssize_t n_heap = 0;
    for (Py_ssize_t i = 0; i < n_touched; i++) {
        Item it = {acc[touched[i]], touched[i]};
        if (n_heap < k) {
            heap[n_heap] = it;
            sift_up(heap, n_heap++);
        } else if (k > 0 && worse(&heap[0], &it)) {
            heap[0] = it;
            sift_down(heap, n_heap, 0);
        }
        acc[touched[i]] = 0.0;
        seen[touched[i]] = 0;
    }
    qsort(heap, n_heap, sizeof(Item), cmp_best_first);
    PyObject *ids = PyList_New(n_heap), *scores = PyList_New(n_heap);
    if (!ids || !scores) {
        Py_XDECREF(ids);
        Py_XDECREF(scores);
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_heap; i++) {
        PyList_SET_ITEM(ids, i, PyLong_FromLongLong(heap[i].id));
        PyList_SET_ITEM(scores, i, PyFloat_FromDouble(heap[i].score));
    }
    result = PyTuple_Pack(2, ids, scores);
    Py_DECREF(ids);
    Py_DECREF(scores);
done:
    free(touched);
    free(heap);
    PyBuffer_Release(&ptr_b);
    PyBuffer_Release(&idx_b);
    PyBuffer_Release(&w_b);
    PyBuffer_Release(&acc_b);
    PyBuffer_Release(&seen_b);
    return result;
}

static PyMethodDef methods[] = {
    {"top_k", top_k, METH_VARARGS, "The k best units of a query's postings: (ids, scores)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&module); }
