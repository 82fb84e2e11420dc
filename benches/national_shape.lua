-- wrk: the profile API of a different kecamatan on every request, from the codes in the file
-- named by KECAMATAN_FILE (one code a line), in a random order per thread.
local codes = {}
for line in io.lines(os.getenv("KECAMATAN_FILE")) do
  codes[#codes + 1] = line
end
math.randomseed(os.time())
request = function()
  local code = codes[math.random(#codes)]
  return wrk.format("GET", "/api/v1/regions/" .. code .. "/profile")
end
