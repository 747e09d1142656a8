/* The Merkle hash of a STEP entity's subgraph, walked in C.

   twin.geometry.keys.StepHasher keys meshes by the content of each element's representation:
   each entity's text with its #ids blanked, then "|", then its references' hashes joined by
   ",", hashed with BLAKE2b (16 bytes); a reference to itself is "@". In Python the walk costs
   about 5 us an entity, and a model's elements reach tens of thousands of them. This module
   does the same walk, over the same text (the file's bytes and StepText's index of its entity
   lines), and fills the same memo (dict: reference as the file writes it, b"#12" -> digest),
   so the two can take turns on one file and give the same keys. Where an entity's text is not
   one plain line (StepText answers None), hash_ref returns None and the Python walk takes over.

   BLAKE2b is written from RFC 7693 (its reference code, section C.2); tests check it against
   hashlib on many lengths. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* ---- BLAKE2b (RFC 7693) ---------------------------------------------------------------- */

typedef struct {
    uint8_t b[128];
    uint64_t h[8];
    uint64_t t[2];
    size_t c;
    size_t outlen;
} blake2b_ctx;

static const uint64_t blake2b_iv[8] = {
    0x6A09E667F3BCC908ULL, 0xBB67AE8584CAA73BULL, 0x3C6EF372FE94F82BULL, 0xA54FF53A5F1D36F1ULL,
    0x510E527FADE682D1ULL, 0x9B05688C2B3E6C1FULL, 0x1F83D9ABFB41BD6BULL, 0x5BE0CD19137E2179ULL,
};

static const uint8_t blake2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

#define ROTR64(x, y) (((x) >> (y)) ^ ((x) << (64 - (y))))

#define B2B_G(a, b, c, d, x, y)                 \
    do {                                        \
        v[a] = v[a] + v[b] + (x);               \
        v[d] = ROTR64(v[d] ^ v[a], 32);         \
        v[c] = v[c] + v[d];                     \
        v[b] = ROTR64(v[b] ^ v[c], 24);         \
        v[a] = v[a] + v[b] + (y);               \
        v[d] = ROTR64(v[d] ^ v[a], 16);         \
        v[c] = v[c] + v[d];                     \
        v[b] = ROTR64(v[b] ^ v[c], 63);         \
    } while (0)

static uint64_t load64(const uint8_t *p) {
    return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) | ((uint64_t)p[3] << 24) |
           ((uint64_t)p[4] << 32) | ((uint64_t)p[5] << 40) | ((uint64_t)p[6] << 48) | ((uint64_t)p[7] << 56);
}

static void blake2b_compress(blake2b_ctx *ctx, int last) {
    uint64_t v[16], m[16];
    for (int i = 0; i < 8; i++) {
        v[i] = ctx->h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= ctx->t[0];
    v[13] ^= ctx->t[1];
    if (last)
        v[14] = ~v[14];
    for (int i = 0; i < 16; i++)
        m[i] = load64(&ctx->b[8 * i]);
    for (int i = 0; i < 12; i++) {
        const uint8_t *s = blake2b_sigma[i];
        B2B_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        B2B_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        B2B_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        B2B_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        B2B_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        B2B_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        B2B_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        B2B_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++)
        ctx->h[i] ^= v[i] ^ v[i + 8];
}

static void blake2b_init(blake2b_ctx *ctx, size_t outlen) {
    for (int i = 0; i < 8; i++)
        ctx->h[i] = blake2b_iv[i];
    ctx->h[0] ^= 0x01010000 ^ outlen; /* no key */
    ctx->t[0] = ctx->t[1] = 0;
    ctx->c = 0;
    ctx->outlen = outlen;
}

static void blake2b_update(blake2b_ctx *ctx, const uint8_t *in, size_t inlen) {
    for (size_t i = 0; i < inlen; i++) {
        if (ctx->c == 128) {
            ctx->t[0] += ctx->c;
            if (ctx->t[0] < ctx->c)
                ctx->t[1]++;
            blake2b_compress(ctx, 0);
            ctx->c = 0;
        }
        ctx->b[ctx->c++] = in[i];
    }
}

static void blake2b_final(blake2b_ctx *ctx, uint8_t *out) {
    ctx->t[0] += ctx->c;
    if (ctx->t[0] < ctx->c)
        ctx->t[1]++;
    while (ctx->c < 128)
        ctx->b[ctx->c++] = 0;
    blake2b_compress(ctx, 1);
    for (size_t i = 0; i < ctx->outlen; i++)
        out[i] = (uint8_t)((ctx->h[i >> 3] >> (8 * (i & 7))) & 0xFF);
}

#define DIGEST 16

static PyObject *blake2b_py(PyObject *module, PyObject *arg) {
    Py_buffer data;
    if (PyObject_GetBuffer(arg, &data, PyBUF_SIMPLE) < 0)
        return NULL;
    blake2b_ctx ctx;
    uint8_t out[DIGEST];
    blake2b_init(&ctx, DIGEST);
    blake2b_update(&ctx, data.buf, (size_t)data.len);
    blake2b_final(&ctx, out);
    PyBuffer_Release(&data);
    return PyBytes_FromStringAndSize((const char *)out, DIGEST);
}

/* ---- the walk ------------------------------------------------------------------------ */

typedef struct {
    const uint8_t *data;
    Py_ssize_t size;
    const int64_t *begin, *end;
    Py_ssize_t count; /* entries of begin and end */
    PyObject *memo;
} Text;

typedef struct {
    Py_ssize_t start, length; /* a reference token ("#12") in the file's bytes */
} Token;

typedef struct {
    PyObject *key;             /* the reference as the file writes it (owned) */
    const uint8_t *body;       /* the entity's text: a slice of the file's bytes */
    Py_ssize_t body_length;
    Token *refs;               /* its references, in order (malloc'd) */
    Py_ssize_t ref_count;
    Py_ssize_t next;           /* the next reference to look at */
} Frame;

static int is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c'; }

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* The entity's text as StepText.get_body_of gives it: 1 and the slice, or 0 (not one plain line). */
static int get_body(const Text *text, const uint8_t *ref, Py_ssize_t ref_length, const uint8_t **body, Py_ssize_t *length) {
    int64_t id = 0;
    for (Py_ssize_t i = 1; i < ref_length; i++) {
        if (!is_digit(ref[i]) || id > (INT64_MAX - 9) / 10)
            return 0;
        id = id * 10 + (ref[i] - '0');
    }
    if (id >= text->count || text->begin[id] < 0)
        return 0;
    Py_ssize_t a = (Py_ssize_t)text->begin[id], b = (Py_ssize_t)text->end[id];
    if (a > b || b > text->size)
        return 0;
    while (a < b && is_space(text->data[a]))
        a++;
    while (b > a && is_space(text->data[b - 1]))
        b--;
    if (b == a || text->data[b - 1] != ';')
        return 0;
    Py_ssize_t quotes = 0;
    for (Py_ssize_t i = a; i < b; i++)
        quotes += text->data[i] == '\'';
    if (quotes % 2)
        return 0;
    b--; /* the ';' */
    while (b > a && is_space(text->data[b - 1]))
        b--;
    *body = text->data + a;
    *length = b - a;
    return 1;
}

/* The references of a body outside its string literals, in order (as cache._parse finds them). */
static Token *find_refs(const uint8_t *base, const uint8_t *body, Py_ssize_t length, Py_ssize_t *count) {
    Py_ssize_t capacity = 8;
    Token *refs = PyMem_Malloc(capacity * sizeof(Token));
    if (refs == NULL)
        return NULL;
    *count = 0;
    Py_ssize_t i = 0;
    while (i < length) {
        uint8_t c = body[i];
        if (c == '\'') { /* a string literal; '' inside it is a quote */
            i++;
            while (i < length) {
                if (body[i] == '\'') {
                    if (i + 1 < length && body[i + 1] == '\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            i++;
        } else if (c == '#' && i + 1 < length && is_digit(body[i + 1])) {
            Py_ssize_t j = i + 1;
            while (j < length && is_digit(body[j]))
                j++;
            if (*count == capacity) {
                capacity *= 2;
                Token *more = PyMem_Realloc(refs, capacity * sizeof(Token));
                if (more == NULL) {
                    PyMem_Free(refs);
                    return NULL;
                }
                refs = more;
            }
            refs[*count].start = (body + i) - base;
            refs[*count].length = j - i;
            (*count)++;
            i = j;
        } else {
            i++;
        }
    }
    return refs;
}

/* The frame's digest: its body with each reference's digits dropped, "|", its references'
   digests joined by "," ("@" for itself). 0 on success, -1 with an exception set. */
static int finish(const Text *text, Frame *frame) {
    blake2b_ctx ctx;
    uint8_t out[DIGEST];
    blake2b_init(&ctx, DIGEST);
    const uint8_t *cursor = frame->body;
    for (Py_ssize_t r = 0; r < frame->ref_count; r++) {
        const uint8_t *ref = text->data + frame->refs[r].start;
        blake2b_update(&ctx, cursor, (size_t)(ref + 1 - cursor)); /* up to and with the '#' */
        cursor = ref + frame->refs[r].length;
    }
    blake2b_update(&ctx, cursor, (size_t)(frame->body + frame->body_length - cursor));
    blake2b_update(&ctx, (const uint8_t *)"|", 1);
    for (Py_ssize_t r = 0; r < frame->ref_count; r++) {
        if (r)
            blake2b_update(&ctx, (const uint8_t *)",", 1);
        const Token *token = &frame->refs[r];
        if (token->length == PyBytes_GET_SIZE(frame->key) &&
            memcmp(text->data + token->start, PyBytes_AS_STRING(frame->key), (size_t)token->length) == 0) {
            blake2b_update(&ctx, (const uint8_t *)"@", 1);
            continue;
        }
        PyObject *key = PyBytes_FromStringAndSize((const char *)text->data + token->start, token->length);
        if (key == NULL)
            return -1;
        PyObject *digest = PyDict_GetItemWithError(text->memo, key);
        Py_DECREF(key);
        if (digest == NULL || !PyBytes_Check(digest)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_RuntimeError, "a reference's digest is missing from the memo");
            return -1;
        }
        blake2b_update(&ctx, (const uint8_t *)PyBytes_AS_STRING(digest), (size_t)PyBytes_GET_SIZE(digest));
    }
    blake2b_final(&ctx, out);
    PyObject *value = PyBytes_FromStringAndSize((const char *)out, DIGEST);
    if (value == NULL)
        return -1;
    int status = PyDict_SetItem(text->memo, frame->key, value);
    Py_DECREF(value);
    return status;
}

static void free_frame(Frame *frame) {
    Py_XDECREF(frame->key);
    PyMem_Free(frame->refs);
}

/* hash_ref(data, begin, end, memo, ref) -> digest (bytes) or None; see the module comment. */
static PyObject *hash_ref(PyObject *module, PyObject *args) {
    Py_buffer data, begin, end;
    PyObject *memo, *ref;
    if (!PyArg_ParseTuple(args, "y*y*y*O!S", &data, &begin, &end, &PyDict_Type, &memo, &ref))
        return NULL;
    PyObject *result = NULL;
    Frame *frames = NULL;
    Py_ssize_t depth = 0, capacity = 64;
    if (begin.len != end.len || begin.len % (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "begin and end must be int64 arrays of one length");
        goto done;
    }
    Text text = {data.buf, data.len, begin.buf, end.buf, begin.len / (Py_ssize_t)sizeof(int64_t), memo};
    PyObject *known = PyDict_GetItemWithError(memo, ref);
    if (known != NULL) {
        result = Py_NewRef(known);
        goto done;
    }
    if (PyErr_Occurred())
        goto done;
    frames = PyMem_Malloc(capacity * sizeof(Frame));
    if (frames == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    PyObject *next_key = Py_NewRef(ref);
    while (1) {
        if (next_key != NULL) { /* enter an entity not yet in the memo */
            const uint8_t *body;
            Py_ssize_t length;
            if (PyBytes_GET_SIZE(next_key) < 2 || !get_body(&text, (const uint8_t *)PyBytes_AS_STRING(next_key), PyBytes_GET_SIZE(next_key), &body, &length)) {
                Py_DECREF(next_key);
                result = Py_NewRef(Py_None); /* not one plain line: the Python walk takes over */
                goto done;
            }
            if (memchr(body, '#', (size_t)length) == NULL) { /* points nowhere: hashed as it is read */
                uint8_t out[DIGEST];
                blake2b_ctx ctx;
                blake2b_init(&ctx, DIGEST);
                blake2b_update(&ctx, body, (size_t)length);
                blake2b_final(&ctx, out);
                PyObject *value = PyBytes_FromStringAndSize((const char *)out, DIGEST);
                int status = value == NULL ? -1 : PyDict_SetItem(memo, next_key, value);
                Py_XDECREF(value);
                Py_DECREF(next_key);
                next_key = NULL;
                if (status < 0)
                    goto done;
            } else {
                if (depth == capacity) {
                    capacity *= 2;
                    Frame *more = PyMem_Realloc(frames, capacity * sizeof(Frame));
                    if (more == NULL) {
                        Py_DECREF(next_key);
                        PyErr_NoMemory();
                        goto done;
                    }
                    frames = more;
                }
                Frame *frame = &frames[depth];
                frame->key = next_key;
                frame->body = body;
                frame->body_length = length;
                frame->next = 0;
                frame->refs = find_refs(text.data, body, length, &frame->ref_count);
                next_key = NULL;
                depth++;
                if (frame->refs == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
            }
        }
        if (depth == 0)
            break;
        Frame *frame = &frames[depth - 1];
        while (frame->next < frame->ref_count) { /* the next reference not yet hashed */
            const Token *token = &frame->refs[frame->next++];
            const char *at = (const char *)text.data + token->start;
            if (token->length == PyBytes_GET_SIZE(frame->key) && memcmp(at, PyBytes_AS_STRING(frame->key), (size_t)token->length) == 0)
                continue; /* itself */
            PyObject *key = PyBytes_FromStringAndSize(at, token->length);
            if (key == NULL)
                goto done;
            int known_already = PyDict_Contains(memo, key);
            if (known_already < 0) {
                Py_DECREF(key);
                goto done;
            }
            if (known_already) {
                Py_DECREF(key);
                continue;
            }
            for (Py_ssize_t f = 0; f < depth; f++) {
                if (PyBytes_GET_SIZE(frames[f].key) == token->length && memcmp(PyBytes_AS_STRING(frames[f].key), at, (size_t)token->length) == 0) {
                    Py_DECREF(key);
                    PyErr_Format(PyExc_ValueError, "reference cycle through %s", PyBytes_AS_STRING(frames[f].key));
                    goto done;
                }
            }
            next_key = key;
            break;
        }
        if (next_key != NULL)
            continue;
        if (finish(&text, frame) < 0) /* every reference is hashed: hash this one */
            goto done;
        free_frame(frame);
        depth--;
    }
    result = PyDict_GetItemWithError(memo, ref);
    if (result != NULL)
        Py_INCREF(result);
    else if (!PyErr_Occurred())
        PyErr_SetString(PyExc_RuntimeError, "the walk ended without the reference's digest");
done:
    if (frames != NULL) {
        for (Py_ssize_t f = 0; f < depth; f++)
            free_frame(&frames[f]);
        PyMem_Free(frames);
    }
    PyBuffer_Release(&data);
    PyBuffer_Release(&begin);
    PyBuffer_Release(&end);
    return result;
}

static PyMethodDef methods[] = {
    {"hash_ref", hash_ref, METH_VARARGS,
     "hash_ref(data, begin, end, memo, ref) -> the 16-byte Merkle digest of the entity ref names, "
     "or None where an entity's text is not one plain line (see twin.geometry.keys.StepHasher)."},
    {"blake2b", blake2b_py, METH_O, "blake2b(data) -> BLAKE2b digest of 16 bytes (as hashlib's, digest_size=16)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_stephash", "Merkle hashes of STEP entities, in C.", -1, methods};

PyMODINIT_FUNC PyInit__stephash(void) { return PyModule_Create(&module); }
