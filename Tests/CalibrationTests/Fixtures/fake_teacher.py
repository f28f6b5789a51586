#!/usr/bin/env python3
"""Scripted OpenAI-compatible teacher for the distillation tests.

Listens on 127.0.0.1 (free port), prints "port N", and answers POST .../chat/completions by
the template in the user message:
  "disk failure"  -> a well-formed analysis answering abnormal
  "login ok"      -> a well-formed analysis answering abnormal (tests label it normal)
  "garbled"       -> text without the <think>/<answer> tags
  "server error"  -> HTTP 500
anything else     -> a well-formed analysis answering normal.
GET /stats returns {"<keyword>": requests} and {"hinted": requests that carried the label hint}.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

counts = {}
lock = Lock()


def reply_for(user):
    if "disk failure" in user:
        return "disk failure", 200, '<think>The key words are "disk failure on". A failing disk loses data, so the entry is abnormal.</think><answer>abnormal</answer>'
    if "login ok" in user:
        return "login ok", 200, '<think>The entry "user login ok" looks like a failure to me, so it is abnormal.</think><answer>abnormal</answer>'
    if "garbled" in user:
        return "garbled", 200, "I think this one is fine."
    if "server error" in user:
        return "server error", 500, None
    return "other", 200, "<think>A routine status message; it is normal.</think><answer>normal</answer>"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            self.send(200, dict(counts))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length))
        user = next(m["content"] for m in request["messages"] if m["role"] == "user")
        key, status, content = reply_for(user)
        with lock:
            counts[key] = counts.get(key, 0) + 1
            if "has classified this entry as" in user:
                counts["hinted"] = counts.get("hinted", 0) + 1
        if status != 200:
            self.send(status, {"error": "scripted failure"})
            return
        self.send(200, {
            "model": "fake-teacher",
            "choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 50, "completion_tokens": 20},
        })


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"port {server.server_address[1]}", flush=True)
server.serve_forever()
