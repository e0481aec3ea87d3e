-- wrk script for scripts/bench/webhooks.sh.
--
-- With FF_REQUESTS set (a file of lines "<X-Hub-Signature-256><TAB><body>", signed up front because wrk's Lua
-- has no HMAC), every request is a signed GitHub push to /api/webhooks/github, cycling through the file's
-- bodies, each with a delivery id of its own (thread number and counter, UUID-shaped), so every request is a
-- new delivery that must be verified, recorded and queue a pipeline. Without it, every request is GET /healthz.
--
-- done() prints one line: "RESULT requests=… accepted=… other=… errors=… rps=… p50_ms=… p99_ms=…", where
-- accepted counts the answers the script expects (202 for a delivery, 200 for /healthz).

local threads = {}
local counter = 0

function setup(thread)
    thread:set("number", #threads + 1)
    table.insert(threads, thread)
end

local requests = {}
local expected = 200
local nonce = os.getenv("FF_NONCE") or "0"

function init(args)
    accepted, other = 0, 0
    local path = os.getenv("FF_REQUESTS")
    if path == nil or path == "" then
        local plain = wrk.format("GET", "/healthz")
        requests = { plain }
        request = function() return plain end
        return
    end
    expected = 202
    local bodies = {}
    for line in io.lines(path) do
        local tab = line:find("\t", 1, true)
        table.insert(bodies, { signature = line:sub(1, tab - 1), body = line:sub(tab + 1) })
    end
    local headers = {
        ["Content-Type"] = "application/json",
        ["X-GitHub-Event"] = "push",
        ["User-Agent"] = "GitHub-Hookshot/bench",
    }
    request = function()
        counter = counter + 1
        local item = bodies[(counter - 1) % #bodies + 1]
        headers["X-Hub-Signature-256"] = item.signature
        headers["X-GitHub-Delivery"] = string.format("%08x-%04x-4000-8000-%012x", tonumber(nonce, 16) or 0, number, counter)
        return wrk.format("POST", "/api/webhooks/github", headers, item.body)
    end
end

function response(status, headers, body)
    if status == expected then accepted = accepted + 1 else other = other + 1 end
end

function done(summary, latency, requests)
    local ok, bad = 0, 0
    for _, thread in ipairs(threads) do
        ok = ok + thread:get("accepted")
        bad = bad + thread:get("other")
    end
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format("RESULT requests=%d accepted=%d other=%d errors=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f\n",
        summary.requests, ok, bad, errors, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
