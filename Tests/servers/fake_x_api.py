#!/usr/bin/env python3
"""A fake X API v2 server for Roost's tests, on loopback.

Speaks the endpoints Roost uses with the real API's paths, query parameters, JSON shapes and
rate-limit headers:

  GET /2/tweets/search/recent      query, start_time, end_time, since_id, until_id, max_results (10-100), next_token
  GET /2/tweets/search/all         same (full-archive search; max_results up to 500)
  GET /2/users/by/username/<name>  user lookup (200 with an `errors` array when unknown)
  GET /2/users/by?usernames=a,b    user lookup, many
  GET /2/users/<id>/tweets         timeline: start_time, end_time, since_id, until_id, max_results (5-100),
                                   pagination_token, exclude
  GET /2/tweets/search/stream      the filtered stream: chunked, one tweet per line, "\r\n" keep-alives
  GET|POST /2/tweets/search/stream/rules   list, add (dry_run) and delete stream rules
All honour tweet.fields, user.fields and expansions=author_id like the real API: a tweet carries
id, text and edit_history_tweet_ids plus the fields asked for; authors go in includes.users.

Its data: every tweet and user in the recorded API responses under ../shared/testdata/twitter
(`"recordings": true`), enriched with the fields those recordings did not ask for (created_at from
the snowflake id, author_id, lang, public_metrics, entities, conversation_id), and/or generated tweets.

Controlled per test through admin endpoints (the test support code starts one server per test):
  POST /_admin/scenario  replaces the state: {"token", "recordings", "generate": {...}, "tweets", "users",
                         "faults": [...], "rate_limit", "stream": {...}, "rules": [...]}
  POST /_admin/tweets    appends tweets: {"generate": {...}} or {"tweets": [...]}
  GET  /_admin/requests  every API request so far: method, path, query, status, auth (ok, wrong, missing),
                         and for the stream its connection number and when the server ended it (ended_at)
  GET  /_admin/stream    every tweet the stream sent: {"sent": [{"id", "at", "connection"}]}

The stream follows the scenario's "stream": {"interval_ms": 50, "keepalive_ms": 200, "connections": [...]}:
connection n (from 0) does what entry n says, and every later one streams steadily until the client
leaves. An entry is {"status": 429 | 503 | ..., "reset_in": s} (an error answer), or {"tweets": k,
"then": "drop" | "stall" | "operational" | "end", "stall_ms": 5000, "resend": r, "interval_ms": i}: k
tweets at the steady rate (its own, if given; 0 sends as fast as the server can), then the connection is cut without a word, goes silent (no tweet, no keep-alive) for
stall_ms, sends an operational-disconnect message, or ends cleanly. "resend" first repeats the last
r tweets already sent, as the real stream may after a reconnect; `backfill_minutes=N` in the query
first repeats every tweet sent in the last N minutes. A stream rule whose parentheses do
not balance is invalid; adding it fails with the API's rule-validation error.

A fault fires on the requests matching its `path` prefix, after letting `after` of them through,
`times` times (default 1): {"status": 429, "reset_in": 2} (and the endpoint stays limited until the
reset), {"status": 503}, {"status": 401}, {"status": 403}, {"status": 400}, {"malformed": true}
(a truncated 200 body), {"errors": [...]} (a normal 200 page plus a partial-error array).

Usage: fake_x_api.py [--port N]   prints "PORT <n>" on its first stdout line once listening.
"""
import argparse
import bisect
import json
import math
import os
import re
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import serving

TWITTER_EPOCH_MS = 1288834974657
RECORDINGS_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "../../../shared/testdata/twitter"))
# Who posted the recorded tweets: the recordings asked for no author, so these are assigned.
RECORDED_AUTHOR_BY_PATH = {"/2/users/783214/tweets": "783214", "/2/users/783214/liked_tweets": "2244994945"}
TWEEPY_ACCOUNT = {"id": "1072250532645998596", "name": "Tweepy Test", "username": "TweepyDev"}
WINDOW_SECONDS = 900


def snowflake_ms(tweet_id):
    return (int(tweet_id) >> 22) + TWITTER_EPOCH_MS


def snowflake(ms, sequence):
    return str(((ms - TWITTER_EPOCH_MS) << 22) | (sequence & 0x3FFFFF))


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time(text):
    """RFC 3339 as the API takes it (YYYY-MM-DDTHH:mm:ssZ, optionally with milliseconds), in epoch ms."""
    try:
        seconds = datetime.strptime(text.rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise invalid(f"Invalid timestamp [{text}]", "start_time")
    return int(seconds.replace(tzinfo=timezone.utc).timestamp() * 1000)


def entities_of(text):
    entities = {}
    for kind, pattern, key in (("hashtags", r"#(\w+)", "tag"), ("mentions", r"@(\w+)", "username"),
                               ("urls", r"(https://t\.co/\w+)", "url")):
        found = [{"start": m.start(), "end": m.end(), key: m.group(1)} for m in re.finditer(pattern, text)]
        if found:
            entities[kind] = found
    return entities


def enrich(tweet, author_id):
    """The fields the recordings did not request, derived from what they hold."""
    full = dict(tweet)
    ms = snowflake_ms(tweet["id"])
    full.setdefault("created_at", iso(ms))
    full.setdefault("author_id", author_id)
    full.setdefault("conversation_id", tweet["id"])
    full.setdefault("lang", "en")
    full.setdefault("possibly_sensitive", False)
    full.setdefault("reply_settings", "everyone")
    full.setdefault("source", "Roost fake X API")
    n = int(tweet["id"]) % 97
    full.setdefault("public_metrics", {"retweet_count": n % 7, "reply_count": n % 5, "like_count": n,
                                       "quote_count": n % 3, "impression_count": n * 40})
    entities = entities_of(tweet["text"])
    if entities:
        full.setdefault("entities", entities)
    if tweet["text"].startswith("RT @"):
        full.setdefault("referenced_tweets", [{"type": "retweeted", "id": str(int(tweet["id"]) - 4096)}])
    return full


def full_user(user):
    full = dict(user)
    full.setdefault("created_at", iso(snowflake_ms(user["id"])) if int(user["id"]) > 1 << 32 else "2007-02-20T14:35:54.000Z")
    full.setdefault("description", f"The {user['name']} account")
    full.setdefault("verified", False)
    full.setdefault("protected", False)
    full.setdefault("public_metrics", {"followers_count": int(user["id"]) % 10007, "following_count": 12,
                                       "tweet_count": 345, "listed_count": 6})
    return full


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset({})

    def reset(self, scenario):
        self.token = scenario.get("token", "test-token")
        self.tweets = {}
        self.users = {}
        self.faults = [dict(f, seen=0, fired=0) for f in scenario.get("faults", [])]
        self.rate_limit = scenario.get("rate_limit", 450)
        self.windows = {}
        self.encoded = {}  # ("tweet" | "user", id) -> (its keys, its JSON): see `encoded`
        self.requests = []
        self.stream = scenario.get("stream", {})
        self.stream_connections = 0
        self.stream_sent = []
        self.stream_sequence = 0
        self.rules = {}
        self.next_rule_id = 1_600_000_000_000_000_000
        for rule in scenario.get("rules", []):  # {"value", "tag"}: rules already on the stream
            self.rules[str(self.next_rule_id)] = dict(rule, id=str(self.next_rule_id))
            self.next_rule_id += 1
        if scenario.get("recordings"):
            recordings = scenario["recordings"]
            self.load_recordings(recordings if isinstance(recordings, str) else RECORDINGS_DIR)
        self.add(scenario)

    def add(self, body):
        self.matches = {}  # (path, filters) -> (tweets newest first, their negated ids): pages bisect it
        self.by_id = None  # every tweet oldest first, and their ids: time filters bisect it
        for user in body.get("users", []):
            self.users[user["id"]] = full_user(user)
            self.encoded.pop(("user", user["id"]), None)
        for tweet in body.get("tweets", []):
            self.tweets[tweet["id"]] = tweet
            self.encoded.pop(("tweet", tweet["id"]), None)
        if "generate" in body:
            self.generate(**body["generate"])
            # Here, so that serving a page costs a join of encoded tweets and users.
            for kind, items in (("tweet", self.tweets), ("user", self.users)):
                for item in items.values():
                    encoded(kind, item)

    def oldest_first(self):
        if self.by_id is None:
            tweets = sorted(self.tweets.values(), key=lambda t: int(t["id"]))
            self.by_id = (tweets, [int(t["id"]) for t in tweets])
        return self.by_id

    def load_recordings(self, folder):
        self.users[TWEEPY_ACCOUNT["id"]] = full_user(TWEEPY_ACCOUNT)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(folder, name)) as f:
                recordings = json.load(f)
            for recording in recordings:
                data = recording["body"].get("data")
                items = data if isinstance(data, list) else [data] if data else []
                for item in items:
                    if "username" in item:
                        self.users[item["id"]] = full_user(item)
                    else:
                        author = RECORDED_AUTHOR_BY_PATH.get(recording["path"], TWEEPY_ACCOUNT["id"])
                        self.tweets[item["id"]] = enrich(item, author)

    def generate(self, count, start_time, spacing_ms=1000, users=3, word="roost", text_bytes=0):
        """`count` tweets from `users` generated users, the first at `start_time`, `spacing_ms` apart."""
        authors = []
        for i in range(users):
            user = {"id": str(900000 + i), "name": f"Roost User {i}", "username": f"roost_user_{i}"}
            self.users.setdefault(user["id"], full_user(user))
            authors.append(user["id"])
        start = parse_time(start_time)
        padding = " " + "x" * text_bytes if text_bytes else ""
        for i in range(count):
            ms = start + i * spacing_ms
            tweet_id = snowflake(ms, i)
            text = f"{word} tweet {i} #roost @roost_user_{i % users}{padding}"
            tweet = enrich({"edit_history_tweet_ids": [tweet_id], "id": tweet_id, "text": text}, authors[i % users])
            self.tweets[tweet_id] = tweet
            self.encoded.pop(("tweet", tweet_id), None)

    def user_named(self, username):
        return next((u for u in self.users.values() if u["username"].lower() == username.lower()), None)


STATE = State()


def query_matcher(query):
    """Whether a tweet matches a search query: its words in the text, `from:` its author."""
    authors, words = [], []
    for term in query.lower().split():
        if term.startswith("-") or (":" in term and not term.startswith("from:")):
            continue  # operators the fake does not model
        if term.startswith("from:"):
            authors.append(term[5:])
        else:
            words.append(term.strip('"'))

    def matches(tweet):
        if authors:
            author = STATE.users.get(tweet.get("author_id"))
            if not author or any(author["username"].lower() != name for name in authors):
                return False
        text = tweet["text"].lower()
        return all(word in text for word in words)
    return matches


class ApiError(Exception):
    def __init__(self, status, body, headers=None):
        self.status, self.body, self.headers = status, body, headers or {}


def invalid(message, parameter):
    return ApiError(400, {"errors": [{"parameters": {parameter: []}, "message": message}],
                          "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
                          "type": "https://api.twitter.com/2/problems/invalid-request"})


BASE_FIELDS = {"tweet": ("edit_history_tweet_ids", "id", "text"), "user": ("id", "name", "username")}


def shape_tweet(tweet, fields):
    shaped = {k: tweet[k] for k in BASE_FIELDS["tweet"] if k in tweet}
    shaped.update({k: tweet[k] for k in fields if k in tweet})
    return shaped


def shape_user(user, fields):
    shaped = {k: user[k] for k in BASE_FIELDS["user"]}
    shaped.update({k: user[k] for k in fields if k in user})
    return shaped


class RawJSON(str):
    """Text that is already JSON: `dumps` writes it as it is."""


def dumps(value):
    """`json.dumps`, except that RawJSON values inside objects go out as they are."""
    if isinstance(value, RawJSON):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(json.dumps(k) + ": " + dumps(v) for k, v in value.items()) + "}"
    return json.dumps(value)


SHAPERS = {"tweet": shape_tweet, "user": shape_user}


def encoded(kind, item):
    """An item's JSON with every field it has, encoded once (state changes drop it from the cache),
    and the field names it holds."""
    key = (kind, item["id"])
    if key not in STATE.encoded:
        STATE.encoded[key] = (frozenset(item), json.dumps(SHAPERS[kind](item, list(item))))
    return STATE.encoded[key]


def shaped_json(kind, items, fields):
    """A JSON array of the items with the fields asked for: the cached encoding when it holds no
    field beyond those."""
    wanted = frozenset(fields) | frozenset(BASE_FIELDS[kind])
    parts = []
    for item in items:
        keys, text = encoded(kind, item)
        parts.append(text if keys <= wanted else json.dumps(SHAPERS[kind](item, fields)))
    return RawJSON("[" + ", ".join(parts) + "]")


def param(query, name):
    return query.get(name, [None])[0]


def list_param(query, name):
    value = param(query, name)
    return [v for v in value.split(",") if v] if value else []


PAGE_PARAMETERS = {"next_token", "pagination_token", "max_results", "tweet.fields", "user.fields", "expansions"}


def tweets_page(path, query, candidates, max_range, default_max, token_name):
    """One page of the tweets inside the query's time and id filters for which `candidates(tweet)`
    holds, newest first. The filtered list is computed once per query and kept, so walking 2,000
    pages of 200,000 tweets costs a bisect and a join of encoded tweets per page."""
    max_results = int(param(query, "max_results") or default_max)
    if not max_range[0] <= max_results <= max_range[1]:
        raise invalid(f"The `max_results` query parameter value [{max_results}] is not between "
                      f"{max_range[0]} and {max_range[1]}", "max_results")
    key = (path, tuple(sorted((k, v[0]) for k, v in query.items() if k not in PAGE_PARAMETERS)))
    if key not in STATE.matches:
        # The id and time filters as one id range (a snowflake id starts with its creation ms), bisected.
        lowest, highest = 0, 1 << 64
        if param(query, "since_id"):
            lowest = max(lowest, int(param(query, "since_id")) + 1)
        if param(query, "until_id"):
            highest = min(highest, int(param(query, "until_id")))
        if param(query, "start_time"):  # inclusive
            lowest = max(lowest, (parse_time(param(query, "start_time")) - TWITTER_EPOCH_MS) << 22)
        if param(query, "end_time"):  # exclusive
            highest = min(highest, (parse_time(param(query, "end_time")) - TWITTER_EPOCH_MS) << 22)
        tweets, ids = STATE.oldest_first()
        in_range = tweets[bisect.bisect_left(ids, lowest):bisect.bisect_left(ids, highest)]
        selected = [t for t in reversed(in_range) if candidates(t)]
        STATE.matches[key] = (selected, [-int(t["id"]) for t in selected])
    selected, negated_ids = STATE.matches[key]
    first = 0
    token = param(query, token_name)
    if token:
        try:
            below = int(token.removeprefix("p"), 36)
        except ValueError:
            raise invalid(f"The `{token_name}` query parameter value [{token}] is not valid", token_name)
        first = bisect.bisect_right(negated_ids, -below)  # the first tweet older than the token's
    selected = selected[first:first + max_results + 1]
    page, rest = selected[:max_results], selected[max_results:]
    body = {}
    if page:
        body["data"] = shaped_json("tweet", page, list_param(query, "tweet.fields"))
        if "author_id" in list_param(query, "expansions"):
            authors = {}  # in order of first appearance
            for t in page:
                user = STATE.users.get(t.get("author_id"))
                if user:
                    authors.setdefault(user["id"], user)
            body["includes"] = {"users": shaped_json("user", authors.values(), list_param(query, "user.fields"))}
    meta = {"result_count": len(page)}
    if page:
        meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
    if rest:
        meta["next_token"] = "p" + base36(int(page[-1]["id"]))
    body["meta"] = meta
    return body


def base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def search(path, query, max_results_cap):
    text = param(query, "query")
    if not text:
        raise invalid("The `query` query parameter can not be empty", "query")
    return tweets_page(path, query, query_matcher(text), (10, max_results_cap), 10, "next_token")


def not_found_user(username):
    return {"value": username, "detail": f"Could not find user with username: [{username}].",
            "title": "Not Found Error", "resource_type": "user", "parameter": "username",
            "resource_id": username, "type": "https://api.twitter.com/2/problems/resource-not-found"}


def route(path, query):
    user_fields = list_param(query, "user.fields")
    if path == "/2/tweets/search/recent":
        return search(path, query, 100)
    if path == "/2/tweets/search/all":
        return search(path, query, 500)
    if path.startswith("/2/users/by/username/"):
        username = unquote(path.rsplit("/", 1)[1])
        user = STATE.user_named(username)
        return {"data": shape_user(user, user_fields)} if user else {"errors": [not_found_user(username)]}
    if path == "/2/users/by":
        names = list_param(query, "usernames")
        found = [STATE.user_named(n) for n in names]
        body = {}
        if any(found):
            body["data"] = [shape_user(u, user_fields) for u in found if u]
        missing = [not_found_user(n) for n, u in zip(names, found) if not u]
        if missing:
            body["errors"] = missing
        return body
    m = re.fullmatch(r"/2/users/(\d+)/tweets", path)
    if m:
        if m.group(1) not in STATE.users:
            return {"errors": [{"value": m.group(1), "detail": f"Could not find user with id: [{m.group(1)}].",
                                "title": "Not Found Error", "resource_type": "user", "parameter": "id",
                                "resource_id": m.group(1),
                                "type": "https://api.twitter.com/2/problems/resource-not-found"}]}
        exclude = list_param(query, "exclude")
        return tweets_page(path, query, lambda t: t.get("author_id") == m.group(1)
                           and not ("retweets" in exclude and t["text"].startswith("RT @"))
                           and not ("replies" in exclude and t["text"].startswith("@")),
                           (5, 100), 10, "pagination_token")
    raise ApiError(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})


def stream_tweet():
    """The next generated stream tweet, as a line of the stream (the caller holds the lock)."""
    now_ms = int(time.time() * 1000)
    sequence = STATE.stream_sequence
    STATE.stream_sequence += 1
    tweet_id = snowflake(now_ms, sequence)
    author = str(900000 + sequence % 3)
    STATE.users.setdefault(author, full_user({"id": author, "name": f"Roost User {sequence % 3}",
                                              "username": f"roost_user_{sequence % 3}"}))
    tweet = enrich({"edit_history_tweet_ids": [tweet_id], "id": tweet_id, "text": f"stream tweet {sequence} #roost"},
                   author)
    return tweet


def stream_line(tweet, query):
    body = {"data": shape_tweet(tweet, list_param(query, "tweet.fields")),
            "matching_rules": [{"id": r["id"], "tag": r.get("tag", "")} for r in STATE.rules.values()]}
    if "author_id" in list_param(query, "expansions"):
        body["includes"] = {"users": [shape_user(STATE.users[tweet["author_id"]], list_param(query, "user.fields"))]}
    return json.dumps(body).encode() + b"\r\n"


def rule_problem(rule):
    value = rule.get("value", "")
    depth = 0
    for c in value:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            break
    if not value.strip() or depth != 0:
        return {"value": value, "details": ["Rules must contain balanced parentheses and a non-negation term"],
                "title": "UnprocessableEntity", "type": "https://api.twitter.com/2/problems/invalid-rules"}
    if any(r["value"] == value for r in STATE.rules.values()):
        return {"value": value, "id": next(r["id"] for r in STATE.rules.values() if r["value"] == value),
                "title": "DuplicateRule", "type": "https://api.twitter.com/2/problems/duplicate-rules"}
    return None


def change_rules(query, body):
    sent = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    dry_run = param(query, "dry_run") == "true"
    if "add" in body:
        problems = [p for p in (rule_problem(r) for r in body["add"]) if p]
        invalid_count = len([p for p in problems if p["title"] == "UnprocessableEntity"])
        created = []
        if not invalid_count:
            for rule in body["add"]:
                if rule_problem(rule):
                    continue
                rule_id = str(STATE.next_rule_id)
                STATE.next_rule_id += 1
                created.append({"id": rule_id, "value": rule["value"], **({"tag": rule["tag"]} if rule.get("tag") else {})})
            if not dry_run:
                for rule in created:
                    STATE.rules[rule["id"]] = rule
        answer = {"meta": {"sent": sent, "summary": {"created": len(created), "not_created": len(body["add"]) - len(created),
                                                      "valid": len(body["add"]) - invalid_count, "invalid": invalid_count}}}
        if created:
            answer["data"] = created
        if problems:
            answer["errors"] = problems
        return answer
    if "delete" in body:
        ids = body["delete"].get("ids", [])
        missing = [i for i in ids if i not in STATE.rules]
        if not dry_run:
            for i in ids:
                STATE.rules.pop(i, None)
        answer = {"meta": {"sent": sent, "summary": {"deleted": len(ids) - len(missing), "not_deleted": len(missing)}}}
        if missing:
            answer["errors"] = [{"value": i, "title": "Not Found Error", "detail": "Rule does not exist",
                                 "type": "https://api.twitter.com/2/problems/resource-not-found"} for i in missing]
        return answer
    raise invalid("Request must contain add or delete", "body")


def list_rules():
    sent = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    rules = sorted(STATE.rules.values(), key=lambda r: r["id"])
    return {"data": rules, "meta": {"sent": sent, "result_count": len(rules)}} if rules else \
        {"meta": {"sent": sent, "result_count": 0}}


def endpoint_key(path):
    return re.sub(r"/\d+/", "/:id/", re.sub(r"/username/[^/]+$", "/username/:username", path))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-x-api"
    # Headers and body go out in two writes: with Nagle on, a keep-alive client's delayed ACK would
    # hold every body back 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_json(self, status, body, headers=None, raw=None):
        payload = raw if raw is not None else dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(payload)

    def read_body(self):
        length = int(self.headers.get("content-length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def do_POST(self):
        url = urlparse(self.path)
        body = self.read_body()
        if url.path == "/2/tweets/search/stream/rules":
            with STATE.lock:
                status, answer, headers, _ = self.answer(url.path, parse_qs(url.query), body, "POST")
            return self.send_json(status, answer, headers)
        with STATE.lock:
            if url.path == "/_admin/scenario":
                STATE.reset(body)
            elif url.path == "/_admin/tweets":
                STATE.add(body)
            else:
                return self.send_json(404, {"error": "no such admin endpoint"})
            count = len(STATE.tweets)
        self.send_json(200, {"tweets": count})

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_admin/requests":
            with STATE.lock:
                return self.send_json(200, {"requests": STATE.requests})
        if url.path == "/_admin/stream":
            with STATE.lock:
                return self.send_json(200, {"sent": STATE.stream_sent})
        query = parse_qs(url.query, keep_blank_values=True)
        if url.path == "/2/tweets/search/stream":
            return self.stream(query)
        with STATE.lock:
            status, body, headers, raw = self.answer(url.path, query)
        self.send_json(status, body, headers, raw)

    def answer(self, path, query, request_body=None, method="GET"):
        header = self.headers.get("authorization")
        auth = "missing" if not header else "ok" if header == f"Bearer {STATE.token}" else "wrong"
        record = {"method": method, "path": path, "query": {k: v[0] for k, v in query.items()}, "auth": auth,
                  "at": time.time()}
        STATE.requests.append(record)
        now = time.time()
        window = STATE.windows.setdefault(endpoint_key(path), {"remaining": STATE.rate_limit,
                                                              "reset": math.ceil(now + WINDOW_SECONDS)})
        if now >= window["reset"]:
            window.update(remaining=STATE.rate_limit, reset=math.ceil(now + WINDOW_SECONDS))
        status, body, raw = 200, None, None
        try:
            if auth != "ok":
                raise ApiError(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                     "detail": "Unauthorized"})
            fault = self.take_fault(path)
            if fault and fault.get("status") == 429:
                window.update(remaining=0, reset=math.ceil(now + fault.get("reset_in", 1)))
            if window["remaining"] <= 0:
                raise ApiError(429, {"title": "Too Many Requests", "detail": "Too Many Requests",
                                     "type": "about:blank", "status": 429})
            if fault and fault.get("status") in (401, 403, 400, 500, 502, 503, 504):
                raise ApiError(fault["status"], fault_body(fault["status"]))
            window["remaining"] -= 1
            if path == "/2/tweets/search/stream/rules":
                body = change_rules(query, request_body) if method == "POST" else list_rules()
            elif path == "/2/tweets/search/stream":
                body = {}  # the stream itself is written by `stream`
            else:
                body = route(path, query)
            if fault and fault.get("errors"):
                body["errors"] = body.get("errors", []) + fault["errors"]
            if fault and fault.get("malformed"):
                whole = dumps(body).encode()
                raw = whole[: max(1, len(whole) // 2)]
        except ApiError as error:
            status, body = error.status, error.body
        record["status"] = status
        headers = {"x-rate-limit-limit": STATE.rate_limit, "x-rate-limit-remaining": max(window["remaining"], 0),
                   "x-rate-limit-reset": window["reset"]}
        return status, body, headers, raw

    def stream(self, query):
        """One connection of the filtered stream, played as the scenario's entry for it says."""
        with STATE.lock:
            connection = STATE.stream_connections
            STATE.stream_connections += 1
            plan = STATE.stream.get("connections", [])
            entry = plan[connection] if connection < len(plan) else {}
            interval = entry.get("interval_ms", STATE.stream.get("interval_ms", 50)) / 1000
            keepalive = STATE.stream.get("keepalive_ms", 200) / 1000
            status, body, headers, _ = self.answer("/2/tweets/search/stream", query)
            if status == 200 and entry.get("status"):
                status = entry["status"]
                body = {"title": "Too Many Requests" if status == 429 else "Service Unavailable", "status": status,
                        "type": "about:blank", "detail": f"HTTP {status}"}
                if status == 429:
                    headers["x-rate-limit-remaining"] = 0
                    headers["x-rate-limit-reset"] = math.ceil(time.time() + entry.get("reset_in", 1))
                STATE.requests[-1]["status"] = status
            record = STATE.requests[-1]
            record["connection"] = connection
            record["ended_at"] = time.time()
            resend = [t for t in STATE.stream_sent[-entry.get("resend", 0):]] if entry.get("resend") else []
            if param(query, "backfill_minutes"):  # what was sent in the last N minutes, first, once each
                since = time.time() - 60 * int(param(query, "backfill_minutes"))
                resend = list({t["id"]: t for t in STATE.stream_sent if t["at"] >= since}.values())
        if status != 200:
            return self.send_json(status, body, headers)
        self.send_response(200)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            for sent in resend:
                with STATE.lock:
                    line = stream_line(sent["tweet"], query)
                    STATE.stream_sent.append(dict(sent, at=time.time(), connection=connection, resent=True))
                self.chunk(line)
            count = entry.get("tweets")
            sent_here = 0
            last_write = time.time()
            next_tweet = time.time()
            while count is None or sent_here < count:
                now = time.time()
                if now >= next_tweet:
                    with STATE.lock:
                        tweet = stream_tweet()
                        line = stream_line(tweet, query)
                        STATE.stream_sent.append({"id": tweet["id"], "at": time.time(), "connection": connection,
                                                  "tweet": tweet})
                    self.chunk(line)
                    sent_here += 1
                    next_tweet += interval
                    last_write = time.time()
                elif now - last_write >= keepalive:
                    self.chunk(b"\r\n")
                    last_write = now
                time.sleep(max(0.0, min(next_tweet, last_write + keepalive) - time.time()))
            then = entry.get("then", "end")
            with STATE.lock:
                record["ended_at"] = time.time() + (entry.get("stall_ms", 5000) / 1000 if then == "stall" else 0)
            if then == "stall":
                time.sleep(entry.get("stall_ms", 5000) / 1000)
            elif then == "operational":
                self.chunk(json.dumps({"errors": [{"title": "operational-disconnect",
                                                   "disconnect_type": "UpstreamOperationalDisconnect",
                                                   "detail": "This stream has been disconnected upstream for operational reasons.",
                                                   "type": "https://api.twitter.com/2/problems/operational-disconnect"}]}).encode() + b"\r\n")
            if then == "drop":
                self.connection.shutdown(2)  # cut without the chunked terminator
            else:
                self.wfile.write(b"0\r\n\r\n")
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def chunk(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def take_fault(self, path):
        for fault in STATE.faults:
            if not path.startswith(fault.get("path", "/")) or fault["fired"] >= fault.get("times", 1):
                continue
            if fault["seen"] < fault.get("after", 0):
                fault["seen"] += 1
                continue
            fault["fired"] += 1
            return fault
        return None


def fault_body(status):
    if status == 403:
        return {"client_id": "101010101", "detail": "When authenticating requests to the Twitter API v2 endpoints, "
                "you must use keys and tokens from a Twitter developer App that is attached to a Project.",
                "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                "title": "Client Forbidden", "required_enrollment": "Appropriate Level of API Access",
                "reason": "client-not-enrolled", "type": "https://api.twitter.com/2/problems/client-forbidden"}
    if status == 401:
        return {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    if status == 400:
        return {"errors": [{"parameters": {"query": []}, "message": "Invalid query"}], "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request"}
    return {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": status}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    serving.exit_with_parent()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
