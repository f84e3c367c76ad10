-- wrk script for load.sh: requests to the demo college, one endpoint or a weighted mix.
--   LOAD_CONFIG  a Lua file returning the host, tokens and ids (written by load_prepare.py)
--   LOAD_MIX     an endpoint name below, or "soak" for the weighted mix
-- With as many connections as threads, every response is counted under the endpoint it answers.
local config = dofile(os.getenv("LOAD_CONFIG"))
local mix = os.getenv("LOAD_MIX") or "soak"

local function pick(list) return list[math.random(#list)] end
local function student() return pick(config.student_tokens) end

local endpoints = {
  bare = function() return "GET", "/healthz" end,  -- on bare Django's server (bench.sh)
  floor = function() return "GET", "/floor/healthz" end,
  healthz = function() return "GET", "/healthz" end,
  login = function()
    return "POST", "/api/v1/auth/login/", nil,
      string.format('{"email": "%s", "password": "%s"}', pick(config.student_emails), config.password)
  end,
  me = function() return "GET", "/api/v1/auth/user/", student() end,
  students = function() return "GET", "/api/v1/students/", config.staff_token end,
  student = function() return "GET", "/api/v1/students/" .. pick(config.student_ids) .. "/", config.staff_token end,
  drives = function() return "GET", "/api/v1/drives/", student() end,
  drive = function() return "GET", "/api/v1/drives/" .. pick(config.drive_ids) .. "/", config.staff_token end,
  applications = function() return "GET", "/api/v1/applications/", student() end,
  apply = function()
    return "POST", "/api/v1/applications/", student(), string.format('{"drive": %d}', pick(config.drive_ids))
  end,
  companies = function() return "GET", "/api/v1/companies/", config.staff_token end,
  dashboard = function() return "GET", "/api/v1/dashboard/stats/", config.staff_token end,
}

-- A placement office's day: mostly students browsing drives and their applications, staff
-- going through lists and profiles, a few sign-ins and applications.
local soak = {
  { "drives", 20 }, { "applications", 15 }, { "drive", 12 }, { "students", 10 }, { "me", 8 },
  { "student", 8 }, { "companies", 5 }, { "apply", 5 }, { "login", 2 },
}
if config.dashboard then table.insert(soak, { "dashboard", 5 }) end

local choices = {}
if mix == "soak" then
  for _, entry in ipairs(soak) do
    for _ = 1, entry[2] do table.insert(choices, entry[1]) end
  end
else
  assert(endpoints[mix], "unknown endpoint " .. mix)
  choices = { mix }
end

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local current
counts = {}

function init(args)
  math.randomseed(os.time() * 100 + id)
end

function request()
  current = pick(choices)
  local method, path, token, body = endpoints[current]()
  local headers = { ["Host"] = config.host }
  if token then headers["Authorization"] = "Bearer " .. token end
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  local key = current .. ":" .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do total[key] = (total[key] or 0) + n end
  end
  local keys = {}
  for key in pairs(total) do table.insert(keys, key) end
  table.sort(keys)
  local statuses = {}
  for _, key in ipairs(keys) do table.insert(statuses, key .. "=" .. total[key]) end
  io.write(string.format("RESULT %s rps=%.1f p50=%.2f p90=%.2f p99=%.2f requests=%d errors=%d statuses=%s\n",
    mix, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    table.concat(statuses, ",")))
end
