-- mixed.lua: the soak's wrk script. Each connection cycles through the example's
-- status, ice, inbound and rate-limited endpoints and a storage write, and done()
-- prints the response count of every status and the socket errors.
-- Arguments: the ice body file.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    local file = assert(io.open(args[1], "rb"))
    local ice = file:read("*a")
    local json = { ["Content-Type"] = "application/json", ["Connection"] = "close" }
    local plain = { ["Connection"] = "close" }
    file:close()
    soak_requests = {
        wrk.format("GET", "/example/status", plain),
        wrk.format("POST", "/example/ice", json, ice),
        wrk.format("POST", "/example/inbound", json, '{"message":"soak"}'),
        wrk.format("GET", "/example/limited", plain),
        wrk.format("POST", "/state/storage", json, '{"op":"write","key":"soak/value","text":"soak text"}'),
    }
    soak_index = 0
    counts = {}
end

function request()
    soak_index = soak_index % #soak_requests + 1
    return soak_requests[soak_index]
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for status, count in pairs(thread:get("counts")) do
            total[status] = (total[status] or 0) + count
        end
    end
    for status, count in pairs(total) do
        io.write(string.format("status %d %d\n", status, count))
    end
    local errors = summary.errors
    io.write(string.format("errors connect %d read %d write %d timeout %d\n", errors.connect, errors.read,
                           errors.write, errors.timeout))
end
