-- GET the url given to wrk with the -H headers; the report line at the end.
package.path = package.path .. ';' .. (os.getenv('BENCH_LUA_DIR') or 'bench/lua') .. '/?.lua'
require('report')
done = report
