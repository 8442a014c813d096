-- follow.lua: wrk script for the follow POST benchmark (bench/bench.sh).
--
-- Each wrk thread is one signed-in user (its cookie and CSRF token come
-- from the file named by $BENCH_USERS: line N is "COOKIE CSRF" for thread
-- N) and walks the researchers of $BENCH_SLUGS in turn: the first pass
-- follows each, the next unfollows each, and so on. So every POST changes
-- an edge (a durable LMDB commit), and two POSTs for one (user, researcher)
-- pair are a whole pass apart (hundreds of requests; only 32 connections a
-- thread are in flight), so they never overtake each other.
--
-- Every answer is a 303 whose Location names the researcher and whose flash
-- cookie names the action: done() writes, per user and researcher, how many
-- were sent and answered and the last answered action to $BENCH_EXPECT;
-- bench.sh compares it with the store.

local threads = {}
local nthreads = 0

function setup(thread)
   nthreads = nthreads + 1
   thread:set("tid", nthreads)
   table.insert(threads, thread)
end

local function lines(path)
   local t = {}
   for l in io.lines(path) do
      if l ~= "" then t[#t + 1] = l end
   end
   return t
end

function init(args)
   local users = lines(os.getenv("BENCH_USERS"))
   local cookie, csrf = users[tid]:match("^(%S+) (%S+)$")
   slugs = lines(os.getenv("BENCH_SLUGS"))
   user = os.getenv("BENCH_USER_PREFIX") .. tid
   headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "bzs=" .. cookie,
   }
   bodies = { follow = "action=follow&csrf=" .. csrf,
              unfollow = "action=unfollow&csrf=" .. csrf }
   n = 0
   sent, answered, last = {}, {}, {}
   bad = 0
   for i, s in ipairs(slugs) do sent[s] = 0; answered[s] = 0; last[s] = "" end
end

function request()
   local k = n % #slugs + 1
   local pass = math.floor(n / #slugs)
   local slug = slugs[k]
   local action = (pass % 2 == 0) and "follow" or "unfollow"
   n = n + 1
   sent[slug] = sent[slug] + 1
   return wrk.format("POST", "/researchers/" .. slug .. "/follow", headers,
                     bodies[action])
end

function response(status, hdrs, body)
   local loc = hdrs["Location"] or ""
   local slug = loc:match("^/researchers/(.+)$")
   local flash = (hdrs["Set-Cookie"] or ""):match("bzf=(%a+)")
   if status ~= 303 or slug == nil or answered[slug] == nil or flash == nil then
      bad = bad + 1
      return
   end
   answered[slug] = answered[slug] + 1
   last[slug] = flash
end

function done(summary, latency, requests)
   local f = assert(io.open(os.getenv("BENCH_EXPECT"), "w"))
   for _, t in ipairs(threads) do
      local u, s, a, l = t:get("user"), t:get("sent"), t:get("answered"), t:get("last")
      f:write(string.format("bad %s %d\n", u, t:get("bad")))
      for slug, ns in pairs(s) do
         f:write(string.format("pair %s %s %d %d %s\n", u, slug, ns, a[slug],
                               l[slug] ~= "" and l[slug] or "-"))
      end
   end
   f:close()
end
