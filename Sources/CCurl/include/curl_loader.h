#ifndef RATIOND_CURL_LOADER_H
#define RATIOND_CURL_LOADER_H

#include <stddef.h>

/// One HTTPS POST's outcome. `body` and `headers` are malloc'd (free with
/// rationd_curl_response_free); `headers` holds the raw header lines of every response seen
/// (an interim `100 Continue` included), each ending in CRLF.
typedef struct rationd_curl_response {
    long status;
    /// libcurl's CURLcode: 0 ok, 28 timed out, 23 reply larger than the limit.
    int code;
    int too_large;
    char error[256];
    char *body;
    size_t body_length;
    char *headers;
    size_t headers_length;
} rationd_curl_response;

/// Loads libcurl (libcurl.so.4, else libcurl-gnutls.so.4) once. NULL when loaded, else why not.
const char *rationd_curl_load(void);

/// POSTs `body` to `url` (https only) with `headers` ("Name: value"), giving up after
/// `timeout_ms`; replies over `max_bytes` are cut off (too_large). `ca_file`: a CA bundle in
/// place of the system's (NULL: the system's). Returns 0 when an HTTP response arrived.
int rationd_curl_post(const char *url, const char *const *headers, int header_count,
                      const void *body, size_t body_length, long timeout_ms, size_t max_bytes,
                      const char *ca_file, rationd_curl_response *response);

void rationd_curl_response_free(rationd_curl_response *response);

#endif
