// libcurl loaded at run time, for https:// LLM endpoints only: a daemon that talks plain http
// (or no LLM at all) never maps libcurl and the TLS, Kerberos and LDAP libraries it pulls in,
// which were a quarter of the idle daemon's resident memory when linked through
// FoundationNetworking. The CURLOPT values are libcurl's stable ABI (curl/curl.h); no
// development headers are needed.
#include "curl_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_WRITEDATA = 10001,
    OPT_URL = 10002,
    OPT_ERRORBUFFER = 10010,
    OPT_WRITEFUNCTION = 20011,
    OPT_POSTFIELDS = 10015,
    OPT_HTTPHEADER = 10023,
    OPT_HEADERDATA = 10029,
    OPT_POST = 47,
    OPT_CAINFO = 10065,
    OPT_HEADERFUNCTION = 20079,
    OPT_NOSIGNAL = 99,
    OPT_TIMEOUT_MS = 155,
    OPT_CONNECTTIMEOUT_MS = 156,
    OPT_PROTOCOLS = 181,
    OPT_POSTFIELDSIZE_LARGE = 30120,
    INFO_RESPONSE_CODE = 0x200002,
    PROTO_HTTPS = 1 << 1,
    GLOBAL_ALL = 3,
    E_WRITE_ERROR = 23,
};

struct slist;
typedef size_t (*write_fn)(char *, size_t, size_t, void *);

static struct {
    void *handle;
    int (*global_init)(long);
    void *(*easy_init)(void);
    // Variadic in curl.h; every option used here passes one long, pointer or curl_off_t,
    // which the x86-64 and AArch64 Linux ABIs pass alike either way.
    int (*setopt_long)(void *, int, long);
    int (*setopt_ptr)(void *, int, const void *);
    int (*setopt_off)(void *, int, int64_t);
    int (*perform)(void *);
    int (*getinfo_long)(void *, int, long *);
    void (*cleanup)(void *);
    const char *(*strerror)(int);
    struct slist *(*slist_append)(struct slist *, const char *);
    void (*slist_free_all)(struct slist *);
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error = "not loaded";

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};
    for (size_t i = 0; i < sizeof names / sizeof *names && !curl.handle; i++) {
        curl.handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!curl.handle) {
        load_error = "cannot load libcurl.so.4 (install libcurl4) for https:// endpoints";
        return;
    }
#define SYM(field, name) \
    if (!(*(void **)&curl.field = dlsym(curl.handle, name))) { load_error = "libcurl lacks " name; return; }
    SYM(global_init, "curl_global_init")
    SYM(easy_init, "curl_easy_init")
    SYM(setopt_long, "curl_easy_setopt")
    SYM(setopt_ptr, "curl_easy_setopt")
    SYM(setopt_off, "curl_easy_setopt")
    SYM(perform, "curl_easy_perform")
    SYM(getinfo_long, "curl_easy_getinfo")
    SYM(cleanup, "curl_easy_cleanup")
    SYM(strerror, "curl_easy_strerror")
    SYM(slist_append, "curl_slist_append")
    SYM(slist_free_all, "curl_slist_free_all")
#undef SYM
    if (curl.global_init(GLOBAL_ALL) != 0) { load_error = "curl_global_init failed"; return; }
    load_error = NULL;
}

const char *rationd_curl_load(void) {
    pthread_once(&once, load);
    return load_error;
}

struct buffer {
    char *bytes;
    size_t length;
    size_t limit;
    int overflowed;
};

static size_t append(char *data, size_t size, size_t count, void *context) {
    struct buffer *b = context;
    size_t n = size * count;
    if (b->length + n > b->limit) {
        b->overflowed = 1;
        return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
    }
    char *grown = realloc(b->bytes, b->length + n + 1);
    if (!grown) return 0;
    memcpy(grown + b->length, data, n);
    b->bytes = grown;
    b->length += n;
    b->bytes[b->length] = 0;
    return n;
}

int rationd_curl_post(const char *url, const char *const *headers, int header_count,
                      const void *body, size_t body_length, long timeout_ms, size_t max_bytes,
                      const char *ca_file, rationd_curl_response *response) {
    memset(response, 0, sizeof *response);
    const char *why = rationd_curl_load();
    if (why) {
        response->code = -1;
        strncpy(response->error, why, sizeof response->error - 1);
        return -1;
    }
    void *easy = curl.easy_init();
    if (!easy) {
        response->code = -1;
        strncpy(response->error, "curl_easy_init failed", sizeof response->error - 1);
        return -1;
    }
    struct slist *list = NULL;
    for (int i = 0; i < header_count; i++) list = curl.slist_append(list, headers[i]);
    // No "Expect: 100-continue" round trip before larger bodies.
    list = curl.slist_append(list, "Expect:");
    struct buffer content = {.limit = max_bytes}, head = {.limit = 64 * 1024};

    curl.setopt_ptr(easy, OPT_URL, url);
    curl.setopt_long(easy, OPT_PROTOCOLS, PROTO_HTTPS);
    curl.setopt_long(easy, OPT_NOSIGNAL, 1);
    curl.setopt_long(easy, OPT_TIMEOUT_MS, timeout_ms);
    curl.setopt_long(easy, OPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl.setopt_long(easy, OPT_POST, 1);
    curl.setopt_ptr(easy, OPT_POSTFIELDS, body);
    curl.setopt_off(easy, OPT_POSTFIELDSIZE_LARGE, (int64_t)body_length);
    curl.setopt_ptr(easy, OPT_HTTPHEADER, list);
    curl.setopt_ptr(easy, OPT_ERRORBUFFER, response->error);
    curl.setopt_ptr(easy, OPT_WRITEFUNCTION, (const void *)(write_fn)append);
    curl.setopt_ptr(easy, OPT_WRITEDATA, &content);
    curl.setopt_ptr(easy, OPT_HEADERFUNCTION, (const void *)(write_fn)append);
    curl.setopt_ptr(easy, OPT_HEADERDATA, &head);
    if (ca_file) curl.setopt_ptr(easy, OPT_CAINFO, ca_file);

    int code = curl.perform(easy);
    curl.getinfo_long(easy, INFO_RESPONSE_CODE, &response->status);
    response->code = code;
    response->too_large = content.overflowed;
    if (code != 0 && response->error[0] == 0) {
        strncpy(response->error, curl.strerror(code), sizeof response->error - 1);
    }
    response->body = content.bytes;
    response->body_length = content.length;
    response->headers = head.bytes;
    response->headers_length = head.length;
    curl.cleanup(easy);
    curl.slist_free_all(list);
    return code == 0 ? 0 : -1;
}

void rationd_curl_response_free(rationd_curl_response *response) {
    free(response->body);
    free(response->headers);
    response->body = NULL;
    response->headers = NULL;
}
