-- zipf.lua: wrk script for profile visits spread as real traffic is
-- (bench/bench.sh with VISITS): GET /researchers/SLUG for the slugs of
-- $BENCH_VISITS (one a line), the slug of rank r (its line) chosen with
-- probability proportional to 1 / r^s, s = $BENCH_ZIPF_S (default 1.0).
-- Headers given to wrk with -H (the session cookie) go with every request.
-- Each thread seeds its own generator, so the two threads do not visit in
-- step.

local nthreads = 0

-- Numbers each thread (its seed).
function setup(thread)
   nthreads = nthreads + 1
   thread:set("tid", nthreads)
end

-- Percent-encodes what is not unreserved in a path segment (UTF-8 slugs).
local function enc(s)
   return (s:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", c:byte())
   end))
end

function init(args)
   local s = tonumber(os.getenv("BENCH_ZIPF_S") or "1.0")
   paths, cum = {}, {}
   local total = 0
   for l in io.lines(os.getenv("BENCH_VISITS")) do
      if l ~= "" then
         paths[#paths + 1] = "/researchers/" .. enc(l)
         total = total + 1 / (#paths) ^ s
         cum[#paths] = total
      end
   end
   for i = 1, #cum do cum[i] = cum[i] / total end
   math.randomseed(os.time() * 7919 + tid)
end

function request()
   local u, lo, hi = math.random(), 1, #cum
   while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if cum[mid] < u then lo = mid + 1 else hi = mid end
   end
   return wrk.format("GET", paths[lo])
end
