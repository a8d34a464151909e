-- POST /ecomm/v2/payments with a new orderId every request: "<prefix><thread>x<n>".
-- Arguments (after --): orderId prefix, merchantSerialNumber, callbackPrefix.
package.path = package.path .. ';' .. (os.getenv('BENCH_LUA_DIR') or 'bench/lua') .. '/?.lua'
require('report')

local threads = 0
function setup(thread)
  thread:set('tid', threads)
  threads = threads + 1
end

local prefix, msn, callbackPrefix
local counter = 0
function init(args)
  prefix = (args[1] or 'w') .. tostring(tid) .. 'x'
  msn = args[2] or '0'
  callbackPrefix = args[3] or 'http://127.0.0.1:9/callbacks'
  wrk.headers['Content-Type'] = 'application/json'
end

function request()
  counter = counter + 1
  local body = '{"customerInfo":{},"merchantInfo":{"merchantSerialNumber":"' .. msn ..
    '","callbackPrefix":"' .. callbackPrefix .. '","fallBack":"https://example.com/fallback"},' ..
    '"transaction":{"orderId":"' .. prefix .. counter .. '","amount":1000,"transactionText":"One pair of socks"}}'
  return wrk.format('POST', nil, nil, body)
end

done = report
