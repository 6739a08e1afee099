/* Where and in which font a PDF line is printed: the PDFium calls `page._lines` makes for every
 * line, made from C (the per-line half of the reader's own cost was ctypes calling PDFium).
 *
 * Nothing is linked: PDFium's functions come as addresses from pypdfium2's ctypes module, and
 * every call writes into the probe's own ctypes out-parameters (`calls.Probe`), in the order the
 * Python code makes them, so that what a later Python call finds there is the same. calls.py's
 * `Measure` is the same in Python: the fallback without a compiler, and the reference.
 *
 * Measure(functions: (GetCharOrigin, GetCharBox, GetFontSize, GetFontInfo) addresses,
 *         outs: (x, y, left, right, bottom, top, name, flags) addresses, room: the name
 *         buffer's length, fonts: the probe's font cache, keep: the objects behind `outs`)
 * .page(textpage address, left, bottom, right, top, exact): the page asked from now on, its
 *   box (the line's first character must start inside it) and whether its text and characters
 *   agree in count
 * .head(a, z) -> None when character a (a line's first) is printed off the page, else
 *   (x0, base, x1, size, style): a's origin, z's (the line's last) right edge, a's font size
 *   and a's font's entry in `fonts` (None when absent); size and style are None, and a's font
 *   not asked, when z ends right of the page on an exact page (the caller cuts the line first)
 * .style(i) -> the entry in `fonts` of character i's font (None when absent), name and flags
 *   left in the probe's out-parameters
 * .gaps(a, text, gap) -> (offsets, left): the offsets k of the spaces in a line's text (from 1)
 *   where character a + k + 1 starts more than `gap` right of where a + k - 1 ends (table
 *   cells), and the left of the first such character (None when there is none)
 * .controls(text) -> whether a page's text holds a control character but the "\r\n" of its
 *   line ends (`glyphs.CONTROL` found in it)
 * .lines(text, pos, Line, out, ends, firsts, offsets) -> the start of the next line of an exact
 *   page's text (from `pos`) that `page._lines` must read itself, -1 when there is none: the
 *   usual lines before it made into Line(...) and appended with their last and first characters
 *   and offsets, as `_lines` would; blank lines and lines printed off the page skipped, as it
 *   does. Usual: in fonts already seen, not TeX's math fonts, inside the page, no listing's line
 *   number or footnote's mark first, no mark inside to drop, ASCII when in code at both ends
 * .after(out, firsts, ends, usual, k, rows, sparse, cell_gap) -> the index of the next line of
 *   `out` from k that `page._lines` must finish itself (one that may end in a footnote's mark),
 *   -1 when there is none: the lines before it finished as it would (a heading's size from its
 *   last character too, a sparse line's wide gaps made tabs and the line appended to `rows`)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef int (*origin_fn)(void *, int, double *, double *);
typedef int (*box_fn)(void *, int, double *, double *, double *, double *);
typedef double (*size_fn)(void *, int);
typedef unsigned long (*info_fn)(void *, int, char *, unsigned long, int *);

typedef struct {
    PyObject_HEAD
    origin_fn origin;
    box_fn box;
    size_fn size;
    info_fn info;
    double *x, *y, *l, *r, *b, *t;
    char *name;
    unsigned long room;
    int *flags;
    PyObject *fonts;
    PyObject *keep;
    PyObject *key;  /* the last font's key in `fonts`: (name, flags), made anew when they change */
    void *tp;
    double left, bottom, right, top;
    int exact;
} Measure;

static void *address(PyObject *seq, Py_ssize_t i) {
    PyObject *item = PyTuple_GetItem(seq, i);
    return item ? PyLong_AsVoidPtr(item) : NULL;
}

static int measure_init(Measure *self, PyObject *args, PyObject *kwds) {
    (void)kwds;
    PyObject *functions, *outs, *fonts, *keep;
    unsigned long room;
    if (!PyArg_ParseTuple(args, "O!O!kO!O", &PyTuple_Type, &functions, &PyTuple_Type, &outs,
                          &room, &PyDict_Type, &fonts, &keep))
        return -1;
    if (PyTuple_GET_SIZE(functions) != 4 || PyTuple_GET_SIZE(outs) != 8) {
        PyErr_SetString(PyExc_ValueError, "Measure: 4 functions and 8 out-parameters");
        return -1;
    }
    void *f[4], *o[8];
    for (Py_ssize_t i = 0; i < 4; i++)
        if (!(f[i] = address(functions, i))) goto bad;
    for (Py_ssize_t i = 0; i < 8; i++)
        if (!(o[i] = address(outs, i))) goto bad;
    self->origin = (origin_fn)f[0];
    self->box = (box_fn)f[1];
    self->size = (size_fn)f[2];
    self->info = (info_fn)f[3];
    self->x = o[0], self->y = o[1], self->l = o[2], self->r = o[3], self->b = o[4], self->t = o[5];
    self->name = o[6];
    self->flags = o[7];
    self->room = room;
    Py_INCREF(fonts);
    Py_XSETREF(self->fonts, fonts);
    Py_INCREF(keep);
    Py_XSETREF(self->keep, keep);
    self->tp = NULL;
    return 0;
bad:
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "Measure: a null address");
    return -1;
}

static void measure_dealloc(Measure *self) {
    Py_XDECREF(self->fonts);
    Py_XDECREF(self->keep);
    Py_XDECREF(self->key);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *measure_page(Measure *self, PyObject *args) {
    PyObject *tp;
    if (!PyArg_ParseTuple(args, "Oddddp", &tp, &self->left, &self->bottom, &self->right,
                          &self->top, &self->exact))
        return NULL;
    self->tp = PyLong_AsVoidPtr(tp);
    if (!self->tp) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "Measure.page: a null page");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* the font cache's entry for the name and flags just asked (as ctypes reads them: the name up to
 * its first NUL within the buffer), a new reference, None when absent */
static PyObject *lookup(Measure *self) {
    Py_ssize_t n = (Py_ssize_t)strnlen(self->name, self->room);
    PyObject *key = self->key;  /* (most characters are in the font of the one before) */
    if (!key || PyLong_AsLong(PyTuple_GET_ITEM(key, 1)) != *self->flags ||
        PyBytes_GET_SIZE(PyTuple_GET_ITEM(key, 0)) != n ||
        memcmp(PyBytes_AS_STRING(PyTuple_GET_ITEM(key, 0)), self->name, (size_t)n) != 0) {
        key = Py_BuildValue("(y#i)", self->name, n, *self->flags);
        if (!key) return NULL;
        Py_XSETREF(self->key, key);
    }
    PyObject *style = PyDict_GetItemWithError(self->fonts, key);
    if (!style) {
        if (PyErr_Occurred()) return NULL;
        style = Py_None;
    }
    Py_INCREF(style);
    return style;
}

static int character(PyObject *arg, int *out) {
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred()) return 0;
    *out = (int)v;
    return 1;
}

static PyObject *measure_head(Measure *self, PyObject *const *args, Py_ssize_t nargs) {
    int a, z;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "head(a, z)");
        return NULL;
    }
    if (!self->tp) {
        PyErr_SetString(PyExc_ValueError, "Measure.head: no page");
        return NULL;
    }
    if (!character(args[0], &a) || !character(args[1], &z)) return NULL;
    self->origin(self->tp, a, self->x, self->y);
    double x0 = *self->x, base = *self->y;
    if (!(self->left <= x0 && x0 <= self->right && self->bottom <= base && base <= self->top))
        Py_RETURN_NONE;
    self->box(self->tp, z, self->l, self->r, self->b, self->t);
    double x1 = *self->r;
    if (x1 > self->right && self->exact)
        return Py_BuildValue("(dddOO)", x0, base, x1, Py_None, Py_None);
    self->info(self->tp, a, self->name, self->room, self->flags);
    PyObject *style = lookup(self);
    if (!style) return NULL;
    double size = self->size(self->tp, a);
    return Py_BuildValue("(ddddN)", x0, base, x1, size, style);
}

static PyObject *measure_style(Measure *self, PyObject *arg) {
    int i;
    if (!self->tp) {
        PyErr_SetString(PyExc_ValueError, "Measure.style: no page");
        return NULL;
    }
    if (!character(arg, &i)) return NULL;
    self->info(self->tp, i, self->name, self->room, self->flags);
    return lookup(self);
}

static PyObject *measure_gaps(Measure *self, PyObject *args) {
    int a;
    PyObject *text;
    double gap;
    if (!PyArg_ParseTuple(args, "iUd", &a, &text, &gap)) return NULL;
    if (!self->tp) {
        PyErr_SetString(PyExc_ValueError, "Measure.gaps: no page");
        return NULL;
    }
    PyObject *found = PyList_New(0);
    if (!found) return NULL;
    PyObject *col = Py_None;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t k = 1; k < n; k++) {
        if (PyUnicode_READ(kind, data, k) != ' ') continue;
        self->box(self->tp, a + (int)k - 1, self->l, self->r, self->b, self->t);
        double right = *self->r;
        self->box(self->tp, a + (int)k + 1, self->l, self->r, self->b, self->t);
        if (*self->l - right > gap) {
            PyObject *at = PyLong_FromSsize_t(k);
            if (!at || PyList_Append(found, at) < 0) {
                Py_XDECREF(at);
                Py_DECREF(found);
                if (col != Py_None) Py_DECREF(col);
                return NULL;
            }
            Py_DECREF(at);
            if (col == Py_None && !(col = PyFloat_FromDouble(*self->l))) {
                Py_DECREF(found);
                return NULL;
            }
        }
    }
    if (col == Py_None) Py_INCREF(col);
    return Py_BuildValue("(NN)", found, col);
}

/* the words of prose `page._PROSE` looks for between two spaces (ASCII, any case) */
static const char *const PROSE[] = {"the", "and", "or", "but", "not", "is", "are", "be", "can",
                                    "of", "to", "in", "on", "at", "for", "from", "with", "as",
                                    "by", "a", "an", "that", "which", "it", "this", "if", "when",
                                    "then", NULL};

/* whether `page._PROSE` finds a word of prose in s[0:n] (all ASCII): " the ", " IN " */
static int prose(int kind, const void *data, Py_ssize_t s, Py_ssize_t n) {
    for (Py_ssize_t i = s; i < s + n; i++) {
        if (PyUnicode_READ(kind, data, i) != ' ') continue;
        for (const char *const *w = PROSE; *w; w++) {
            Py_ssize_t len = (Py_ssize_t)strlen(*w), k = 0;
            if (i + len + 1 >= s + n) continue;
            while (k < len && (PyUnicode_READ(kind, data, i + 1 + k) | 0x20) == (Py_UCS4)(*w)[k])
                k++;
            if (k == len && PyUnicode_READ(kind, data, i + 1 + len) == ' ') return 1;
        }
    }
    return 0;
}

/* a footnote mark's character (`marks.MARKS`, `marks.INSIDE`) */
static int mark_char(Py_UCS4 c) {
    return (c >= '0' && c <= '9') || c == '*' || c == 0x2020 || c == 0x2021 || c == 0xa7;
}

/* whether `marks.INSIDE` finds a mark inside a line s[0:n] from its third character: a mark
 * character followed by a space or one of ".,;:)" (the run of marks before it is then 1 to 4
 * long from some start at 2 or later) */
static int inside(int kind, const void *data, Py_ssize_t s, Py_ssize_t n) {
    for (Py_ssize_t k = 3; k < n; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, s + k);
        if ((Py_UNICODE_ISSPACE(c) || c == '.' || c == ',' || c == ';' || c == ':' || c == ')') &&
            mark_char(PyUnicode_READ(kind, data, s + k - 1)))
            return 1;
    }
    return 0;
}

/* whether `marks.inside` would drop a footnote's mark inside a line s[0:n] (from character a,
 * its first printed in `first`): 1 if so or when a font is not seen yet (`page._lines` reads
 * the line), 0 if not, -1 on an error. Its matches as `marks.INSIDE.finditer(text, 2)` finds
 * them: a run of one to four marks before a space or one of ".,;:)" */
static int drops_mark(Measure *self, int kind, const void *data, Py_ssize_t s, Py_ssize_t n,
                      Py_ssize_t a, double first) {
    Py_ssize_t i = 2;
    while (i < n) {
        Py_ssize_t run = 0;
        while (i + run < n && run < 5 && mark_char(PyUnicode_READ(kind, data, s + i + run))) run++;
        if (run == 0 || run > 4 || i + run >= n) {
            i++;
            continue;
        }
        Py_UCS4 c = PyUnicode_READ(kind, data, s + i + run);
        if (!(Py_UNICODE_ISSPACE(c) || c == '.' || c == ',' || c == ';' || c == ':' || c == ')')) {
            i++;
            continue;
        }
        Py_ssize_t k = i;
        i += run;  /* (the next match starts after this one) */
        Py_UCS4 b1 = PyUnicode_READ(kind, data, s + k - 2);
        Py_UCS4 b2 = PyUnicode_READ(kind, data, s + k - 1);
        if (!((Py_UNICODE_ISALPHA(b1) && Py_UNICODE_ISALPHA(b2)) || b2 == '.' || b2 == ',' ||
              b2 == ';' || b2 == ':'))
            continue;
        double small = self->size(self->tp, (int)(a + k));
        if (small >= 0.8 * first) continue;
        double size = self->size(self->tp, (int)(a + k - 1));
        if (small >= 0.8 * size) continue;
        self->info(self->tp, (int)(a + k - 1), self->name, self->room, self->flags);
        PyObject *style = lookup(self);
        if (!style) return -1;
        int math = style == Py_None || !PyTuple_Check(style) || PyTuple_GET_SIZE(style) != 3
                       ? -2
                       : PyTuple_GET_ITEM(style, 2) != Py_None;
        Py_DECREF(style);
        if (math == -2) return 1;
        if (math) continue;
        self->box(self->tp, (int)(a + k - 1), self->l, self->r, self->b, self->t);
        double floor = *self->b;
        self->box(self->tp, (int)(a + k), self->l, self->r, self->b, self->t);
        if (*self->b < floor + 0.15 * size) continue;
        return 1;
    }
    return 0;
}

static int append_long(PyObject *list, Py_ssize_t v) {
    PyObject *o = PyLong_FromSsize_t(v);
    if (!o) return -1;
    int r = PyList_Append(list, o);
    Py_DECREF(o);
    return r;
}

/* .lines(text, pos, Line, out, ends, firsts, offsets): see the top of the file */
static PyObject *measure_lines(Measure *self, PyObject *args) {
    PyObject *text, *cls, *out, *ends, *firsts, *offsets;
    Py_ssize_t pos;
    if (!PyArg_ParseTuple(args, "UnOO!O!O!O!", &text, &pos, &cls, &PyList_Type, &out,
                          &PyList_Type, &ends, &PyList_Type, &firsts, &PyList_Type, &offsets))
        return NULL;
    if (!self->tp || !self->exact) {
        PyErr_SetString(PyExc_ValueError, "Measure.lines: no page, or one not exact");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    while (pos <= len) {
        Py_ssize_t end = pos;  /* the line's raw end: the next "\r\n", else the text's */
        while (end < len && !(PyUnicode_READ(kind, data, end) == '\r' && end + 1 < len &&
                              PyUnicode_READ(kind, data, end + 1) == '\n'))
            end++;
        Py_ssize_t next = end + 2, a = pos, e = end;
        while (a < e && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a))) a++;
        while (e > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, e - 1))) e--;
        if (a == e) goto done;  /* blank */
        Py_UCS4 first = PyUnicode_READ(kind, data, a);
        if (first >= 0x80 && Py_UNICODE_ISDIGIT(first)) return PyLong_FromSsize_t(pos);
        Py_ssize_t z = e - 1;
        self->origin(self->tp, (int)a, self->x, self->y);
        double x0 = *self->x, base = *self->y;
        if (!(self->left <= x0 && x0 <= self->right && self->bottom <= base && base <= self->top))
            goto done;  /* printed off the page: invisible */
        self->box(self->tp, (int)z, self->l, self->r, self->b, self->t);
        double x1 = *self->r;
        if (x1 > self->right) return PyLong_FromSsize_t(pos);  /* runs off the page */
        self->info(self->tp, (int)a, self->name, self->room, self->flags);
        PyObject *style = lookup(self);
        if (!style) return NULL;
        double size = self->size(self->tp, (int)a);
        if (style == Py_None || !PyTuple_Check(style) || PyTuple_GET_SIZE(style) != 3 ||
            PyTuple_GET_ITEM(style, 2) != Py_None) {
            Py_DECREF(style);  /* a font not seen yet, or one of TeX's math fonts */
            return PyLong_FromSsize_t(pos);
        }
        int bold = PyObject_IsTrue(PyTuple_GET_ITEM(style, 0));
        int mono = PyObject_IsTrue(PyTuple_GET_ITEM(style, 1));
        Py_DECREF(style);
        if (bold < 0 || mono < 0) return NULL;
        if (first >= '0' && first <= '9') {  /* `page._LINE_NUMBER`: "12  code", printed smaller? */
            Py_ssize_t r = 0, k;
            while (a + r < e && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, a + r))) r++;
            for (k = r; a + k < e && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a + k)); k++)
                ;
            if (r <= 5 && k > r && a + k < e &&
                self->size(self->tp, (int)a) < 0.95 * self->size(self->tp, (int)(a + k)))
                return PyLong_FromSsize_t(pos);
        }
        if (mark_char(first)) {  /* `marks.past_mark`: a small mark before a word? */
            Py_ssize_t j = 0;
            for (Py_ssize_t i = 0; i < 6 && a + i < e && !j; i++) {
                Py_UCS4 c = PyUnicode_READ(kind, data, a + i);
                if (!mark_char(c) && c != ' ') j = i;
            }
            if (j && Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, a + j)) &&
                !(size >= 0.8 * self->size(self->tp, (int)(a + j))))
                return PyLong_FromSsize_t(pos);
        }
        if (!mono && inside(kind, data, a, e - a)) {  /* footnote marks inside the line? */
            int drops = drops_mark(self, kind, data, a, e - a, a, size);
            if (drops < 0) return NULL;
            if (drops) return PyLong_FromSsize_t(pos);
        }
        if ((bold || mono) && z != a) {
            self->info(self->tp, (int)z, self->name, self->room, self->flags);
            PyObject *other = lookup(self);
            if (!other) return NULL;
            if (other == Py_None || !PyTuple_Check(other) || PyTuple_GET_SIZE(other) != 3) {
                Py_DECREF(other);
                return PyLong_FromSsize_t(pos);
            }
            int b2 = PyObject_IsTrue(PyTuple_GET_ITEM(other, 0));
            int m2 = PyObject_IsTrue(PyTuple_GET_ITEM(other, 1));
            Py_DECREF(other);
            if (b2 < 0 || m2 < 0) return NULL;
            bold = bold && b2;
            mono = mono && m2;
            if (mono) {  /* code at both ends: a sentence with words of prose is looked into */
                int ascii = 1;
                for (Py_ssize_t i = a; i < e && ascii; i++)
                    ascii = PyUnicode_READ(kind, data, i) < 0x80;
                if (!ascii) return PyLong_FromSsize_t(pos);
                /* `page._mono_inside`: the words a third and two thirds of the way in */
                Py_ssize_t n = e - a;
                for (int third = 1; third <= 2 && mono && prose(kind, data, a, n); third++) {
                    Py_ssize_t j = third * n / 3;  /* (its last space up to there) */
                    while (j >= 0 && PyUnicode_READ(kind, data, a + j) != ' ') j--;
                    Py_ssize_t k = j + 1;
                    if (k <= 0 || k >= n || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a + k)))
                        continue;
                    self->info(self->tp, (int)(a + k), self->name, self->room, self->flags);
                    PyObject *word = lookup(self);
                    if (!word) return NULL;
                    if (word == Py_None || !PyTuple_Check(word) || PyTuple_GET_SIZE(word) != 3) {
                        Py_DECREF(word);
                        return PyLong_FromSsize_t(pos);
                    }
                    int m3 = PyObject_IsTrue(PyTuple_GET_ITEM(word, 1));
                    Py_DECREF(word);
                    if (m3 < 0) return NULL;
                    mono = m3;
                }
            }
        }
        int hyphen = 0;
        for (Py_ssize_t i = a; i < e && !hyphen; i++)
            hyphen = PyUnicode_READ(kind, data, i) == 0xfffe;
        double last = base;
        if (hyphen) {  /* PDFium joined the next line after a hyphen: where it ends */
            self->origin(self->tp, (int)z, self->x, self->y);
            last = *self->y;
        }
        PyObject *stripped = PyUnicode_Substring(text, a, e);
        if (!stripped) return NULL;
        PyObject *argv[7] = {stripped, PyFloat_FromDouble(x0),
                             PyFloat_FromDouble(x1 > x0 ? x1 : x0), PyFloat_FromDouble(base),
                             PyFloat_FromDouble(size), bold ? Py_True : Py_False,
                             mono ? Py_True : Py_False};
        PyObject *line = argv[1] && argv[2] && argv[3] && argv[4]
                             ? PyObject_Vectorcall(cls, argv, 7, NULL)
                             : NULL;
        for (int i = 0; i < 5; i++) Py_XDECREF(argv[i]);
        if (!line) return NULL;
        if (hyphen) {
            PyObject *y = PyFloat_FromDouble(last);
            if (!y || PyObject_SetAttrString(line, "end", y) < 0) {
                Py_XDECREF(y);
                Py_DECREF(line);
                return NULL;
            }
            Py_DECREF(y);
        }
        int failed = PyList_Append(out, line) < 0;
        Py_DECREF(line);
        if (failed || append_long(ends, z) < 0 || append_long(firsts, a) < 0 ||
            append_long(offsets, a) < 0)
            return NULL;
    done:
        if (end >= len) break;
        pos = next;
    }
    return PyLong_FromLong(-1);
}

/* a letter as the patterns' [^\W\d_] reads one */
static int letter(Py_UCS4 c) {
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c) && c != '_';
}

/* whether `marks.AT_END` is found in a line s[0:n] from n - 7: one to four marks at its end after
 * three letters or one of ".,;:)" (a mark before them cannot follow either: the whole run) */
static int at_end(int kind, const void *data, Py_ssize_t n) {
    Py_ssize_t t = 0;
    while (t < n && t < 5 && mark_char(PyUnicode_READ(kind, data, n - 1 - t))) t++;
    if (t == 0 || t > 4) return 0;
    Py_ssize_t p = n - t, from = n - 7 > 0 ? n - 7 : 0;
    if (p - 1 >= from) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p - 1);
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == ')') return 1;
    }
    return p - 3 >= from && letter(PyUnicode_READ(kind, data, p - 3)) &&
           letter(PyUnicode_READ(kind, data, p - 2)) && letter(PyUnicode_READ(kind, data, p - 1));
}

static PyObject *TEXT, *SIZE, *X0, *X1, *CELLS, *COL;  /* Line's attributes' names */

/* .after(out, firsts, ends, usual, k, rows, sparse, cell_gap): see the top of the file */
static PyObject *measure_after(Measure *self, PyObject *args) {
    PyObject *out, *firsts, *ends, *rows;
    double usual, sparse, cell_gap;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "O!O!O!dnO!dd", &PyList_Type, &out, &PyList_Type, &firsts,
                          &PyList_Type, &ends, &usual, &k, &PyList_Type, &rows, &sparse,
                          &cell_gap))
        return NULL;
    if (!self->tp || !self->exact) {
        PyErr_SetString(PyExc_ValueError, "Measure.after: no page, or one not exact");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(out);
    if (PyList_GET_SIZE(firsts) != n || PyList_GET_SIZE(ends) != n) {
        PyErr_SetString(PyExc_ValueError, "Measure.after: lists of unequal lengths");
        return NULL;
    }
    for (; k < n; k++) {
        PyObject *line = PyList_GET_ITEM(out, k), *text = PyObject_GetAttr(line, TEXT);
        if (!text) return NULL;
        if (!PyUnicode_Check(text)) {
            Py_DECREF(text);
            PyErr_SetString(PyExc_TypeError, "Measure.after: a line's text is no str");
            return NULL;
        }
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        if (len == 0 || at_end(kind, data, len)) {  /* a footnote's mark at its end? Python's */
            Py_DECREF(text);
            return PyLong_FromSsize_t(k);
        }
        long a = PyLong_AsLong(PyList_GET_ITEM(firsts, k)), z = PyLong_AsLong(PyList_GET_ITEM(ends, k));
        PyObject *got = PyObject_GetAttr(line, SIZE);
        double size = got ? PyFloat_AsDouble(got) : -1.0;
        Py_XDECREF(got);
        if (PyErr_Occurred()) goto fail;
        if (size > 1.08 * usual) {  /* a heading, or only its first letter? */
            double last = self->size(self->tp, (int)z);
            if (last < size) {
                PyObject *smaller = PyFloat_FromDouble(last);
                if (!smaller || PyObject_SetAttr(line, SIZE, smaller) < 0) {
                    Py_XDECREF(smaller);
                    goto fail;
                }
                Py_DECREF(smaller);
                size = last;
            }
        }
        int spaced = 0;
        for (Py_ssize_t i = 0; i < len && !spaced; i++) spaced = PyUnicode_READ(kind, data, i) == ' ';
        if (spaced) {
            PyObject *x0 = PyObject_GetAttr(line, X0), *x1 = x0 ? PyObject_GetAttr(line, X1) : NULL;
            double width = x1 ? PyFloat_AsDouble(x1) - PyFloat_AsDouble(x0) : 0.0;
            Py_XDECREF(x0);
            Py_XDECREF(x1);
            if (PyErr_Occurred()) goto fail;
            spaced = width > sparse * 0.5 * size * (double)len;
        }
        if (spaced) {  /* `page._split_cells`: its spaces that stand for a wide gap */
            double gap = cell_gap * size, col = 0.0;
            PyObject *cells = NULL;
            for (Py_ssize_t i = 1; i < len; i++) {
                if (PyUnicode_READ(kind, data, i) != ' ') continue;
                self->box(self->tp, (int)(a + i - 1), self->l, self->r, self->b, self->t);
                double right = *self->r;
                self->box(self->tp, (int)(a + i + 1), self->l, self->r, self->b, self->t);
                if (*self->l - right <= gap) continue;
                if (!cells) {
                    col = *self->l;
                    if (!(cells = PyUnicode_New(len, PyUnicode_MAX_CHAR_VALUE(text)))) goto fail;
                    PyUnicode_CopyCharacters(cells, 0, text, 0, len);
                }
                PyUnicode_WriteChar(cells, i, '\t');
            }
            if (cells) {
                PyObject *left = PyFloat_FromDouble(col);
                int failed = !left || PyObject_SetAttr(line, TEXT, cells) < 0 ||
                             PyObject_SetAttr(line, CELLS, Py_True) < 0 ||
                             PyObject_SetAttr(line, COL, left) < 0 || PyList_Append(rows, line) < 0;
                Py_DECREF(cells);
                Py_XDECREF(left);
                if (failed) goto fail;
            }
        }
        Py_DECREF(text);
        continue;
    fail:
        Py_DECREF(text);
        return NULL;
    }
    return PyLong_FromLong(-1);
}

/* .controls(text): whether a page's text holds a control character other than the "\r\n" that
 * ends its lines (`glyphs.CONTROL`: a glyph PDFium could not name, read as its code) */
static PyObject *measure_controls(Measure *self, PyObject *text) {
    (void)self;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "controls(text)");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c > 0x9f || (c >= 0x20 && c < 0x7f)) continue;
        if (c == '\r' && i + 1 < n && PyUnicode_READ(kind, data, i + 1) == '\n') {
            i++;  /* (the pair: its "\n" is no control either) */
            continue;
        }
        Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

static PyMethodDef measure_methods[] = {
    {"page", (PyCFunction)measure_page, METH_VARARGS, "The text page asked from now on."},
    {"head", (PyCFunction)(void (*)(void))measure_head, METH_FASTCALL,
     "(x0, base, x1, size, style) of a line from character a to z, or None."},
    {"style", (PyCFunction)measure_style, METH_O, "The font cache's entry for character i."},
    {"gaps", (PyCFunction)measure_gaps, METH_VARARGS, "Where a line's spaces are wide gaps."},
    {"controls", (PyCFunction)measure_controls, METH_O,
     "Whether a page's text holds a control character but its line ends."},
    {"after", (PyCFunction)measure_after, METH_VARARGS,
     "The usual steps after a page's lines are read, up to the next line Python takes."},
    {"lines", (PyCFunction)measure_lines, METH_VARARGS,
     "A page's usual lines as Line objects, up to the next line Python reads."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject MeasureType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "index.read.formats.pdf._measure.Measure",
    .tp_basicsize = sizeof(Measure),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "PDFium's per-line calls on one document's pages, into the probe's out-parameters.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)measure_init,
    .tp_dealloc = (destructor)measure_dealloc,
    .tp_methods = measure_methods,
};

/* tokens(text) -> {token: count} of a text's whitespace-separated tokens, in the order each is
 * first seen: `Counter(text.split())` (join._vocabulary's count) without a str for every token,
 * only for each distinct one (a hash table of their places in the text) */
typedef struct {
    Py_ssize_t start, len, count;
    Py_uhash_t hash;
} Token;

static PyObject *count_tokens(PyObject *module, PyObject *text) {
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "tokens(text)");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const char *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), used = 0, room = 1024;
    size_t mask = 4095;
    Token *tokens = PyMem_Malloc(room * sizeof(Token));
    Py_ssize_t *table = PyMem_Calloc(mask + 1, sizeof(Py_ssize_t));  /* token index + 1, or 0 */
    PyObject *out = NULL;
    if (!tokens || !table) goto fail;
    for (Py_ssize_t i = 0; i < n;) {
        while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) i++;
        if (i >= n) break;
        Py_ssize_t start = i;
        Py_uhash_t h = 14695981039346656037ULL;
        for (; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (Py_UNICODE_ISSPACE(c)) break;
            h = (h ^ c) * 1099511628211ULL;
        }
        Py_ssize_t len = i - start;
        size_t slot = h & mask;
        while (table[slot]) {
            Token *t = &tokens[table[slot] - 1];
            if (t->hash == h && t->len == len &&
                memcmp(data + start * kind, data + t->start * kind, (size_t)(len * kind)) == 0)
                break;
            slot = (slot + 1) & mask;
        }
        if (table[slot]) {
            tokens[table[slot] - 1].count++;
            continue;
        }
        if (used == room) {
            Token *more = PyMem_Realloc(tokens, 2 * room * sizeof(Token));
            if (!more) goto fail;
            tokens = more, room *= 2;
        }
        tokens[used] = (Token){start, len, 1, h};
        table[slot] = ++used;
        if ((size_t)used * 2 > mask) {  /* (kept at most half full) */
            size_t wider = 2 * mask + 1;
            Py_ssize_t *again = PyMem_Calloc(wider + 1, sizeof(Py_ssize_t));
            if (!again) goto fail;
            for (Py_ssize_t k = 0; k < used; k++) {
                size_t at = tokens[k].hash & wider;
                while (again[at]) at = (at + 1) & wider;
                again[at] = k + 1;
            }
            PyMem_Free(table);
            table = again, mask = wider;
        }
    }
    if (!(out = PyDict_New())) goto fail;
    for (Py_ssize_t k = 0; k < used; k++) {
        PyObject *key = PyUnicode_Substring(text, tokens[k].start, tokens[k].start + tokens[k].len);
        PyObject *count = key ? PyLong_FromSsize_t(tokens[k].count) : NULL;
        int failed = !count || PyDict_SetItem(out, key, count) < 0;
        Py_XDECREF(key);
        Py_XDECREF(count);
        if (failed) goto fail;
    }
    PyMem_Free(tokens);
    PyMem_Free(table);
    return out;
fail:
    PyMem_Free(tokens);
    PyMem_Free(table);
    Py_XDECREF(out);
    if (!PyErr_Occurred()) PyErr_NoMemory();
    return NULL;
}

static PyObject *STRIP, *LOWER;  /* str's methods' names */

/* out[key] += n */
static int add(PyObject *out, PyObject *key, PyObject *n) {
    PyObject *old = PyDict_GetItemWithError(out, key);
    if (!old && PyErr_Occurred()) return -1;
    PyObject *sum = old ? PyNumber_Add(old, n) : Py_NewRef(n);
    if (!sum) return -1;
    int r = PyDict_SetItem(out, key, sum);
    Py_DECREF(sum);
    return r;
}

/* words(counts, needed, stems, punctuation, mark, stem) -> {word: count}: join._vocabulary's
 * count of each token's pieces (parted by U+FFFE), stripped of `punctuation` and in lower case
 * (by str's own methods; a piece of lower-case ASCII letters is its word), when in `needed`, and
 * of their first `stem` letters, after `mark`, when in `stems` */
static PyObject *count_words(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *counts, *needed, *stems, *punctuation, *mark;
    Py_ssize_t stem;
    if (!PyArg_ParseTuple(args, "O!OOUUn", &PyDict_Type, &counts, &needed, &stems, &punctuation,
                          &mark, &stem))
        return NULL;
    if (!PyAnySet_Check(needed) || !PyAnySet_Check(stems)) {
        PyErr_SetString(PyExc_TypeError, "words: needed and stems are sets");
        return NULL;
    }
    PyObject *out = PyDict_New(), *sep = PyUnicode_FromOrdinal(0xfffe);
    PyObject *token, *n, *pieces = NULL;
    Py_ssize_t at = 0;
    if (!out || !sep) goto fail;
    while (PyDict_Next(counts, &at, &token, &n)) {
        if (!PyUnicode_Check(token)) {
            PyErr_SetString(PyExc_TypeError, "words: a token is no str");
            goto fail;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(token);
        pieces = PyUnicode_FindChar(token, 0xfffe, 0, len, 1) >= 0
                     ? PyUnicode_Split(token, sep, -1)
                     : PyList_New(0);
        if (!pieces || (PyList_GET_SIZE(pieces) == 0 && PyList_Append(pieces, token) < 0))
            goto fail;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(pieces); i++) {
            PyObject *piece = PyList_GET_ITEM(pieces, i), *word;
            int plain = PyUnicode_IS_ASCII(piece) && PyUnicode_GET_LENGTH(piece) > 0;
            const Py_UCS1 *chars = plain ? PyUnicode_1BYTE_DATA(piece) : NULL;
            for (Py_ssize_t k = 0; plain && k < PyUnicode_GET_LENGTH(piece); k++)
                plain = chars[k] >= 'a' && chars[k] <= 'z';
            if (plain) {
                word = Py_NewRef(piece);
            } else {
                PyObject *stripped = PyObject_CallMethodOneArg(piece, STRIP, punctuation);
                word = stripped ? PyObject_CallMethodNoArgs(stripped, LOWER) : NULL;
                Py_XDECREF(stripped);
                if (!word) goto fail;
            }
            int found = PySet_Contains(needed, word);
            PyObject *prefix = found < 0 ? NULL : PyUnicode_Substring(word, 0, stem);
            int fits = prefix ? PySet_Contains(stems, prefix) : -1;
            PyObject *key = fits > 0 ? PyUnicode_Concat(mark, prefix) : NULL;
            int failed = found < 0 || fits < 0 || (found && add(out, word, n) < 0) ||
                         (fits > 0 && (!key || add(out, key, n) < 0));
            Py_DECREF(word);
            Py_XDECREF(prefix);
            Py_XDECREF(key);
            if (failed) goto fail;
        }
        Py_CLEAR(pieces);
    }
    Py_DECREF(sep);
    return out;
fail:
    Py_XDECREF(pieces);
    Py_XDECREF(sep);
    Py_XDECREF(out);
    return NULL;
}

static PyMethodDef module_methods[] = {
    {"words", (PyCFunction)count_words, METH_VARARGS,
     "join._vocabulary's count of the needed words and stems in {token: count}."},
    {"tokens", (PyCFunction)count_tokens, METH_O,
     "{token: count} of a text's whitespace-separated tokens: Counter(text.split())."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_measure", NULL, -1, module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__measure(void) {
    if (PyType_Ready(&MeasureType) < 0) return NULL;
    if (!(TEXT = PyUnicode_InternFromString("text")) || !(SIZE = PyUnicode_InternFromString("size")) ||
        !(X0 = PyUnicode_InternFromString("x0")) || !(X1 = PyUnicode_InternFromString("x1")) ||
        !(CELLS = PyUnicode_InternFromString("cells")) || !(COL = PyUnicode_InternFromString("col")) ||
        !(STRIP = PyUnicode_InternFromString("strip")) || !(LOWER = PyUnicode_InternFromString("lower")))
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&MeasureType);
    if (PyModule_AddObject(m, "Measure", (PyObject *)&MeasureType) < 0) {
        Py_DECREF(&MeasureType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
