// The context object that the peers pass to every handler. Info lines are dropped unless
// LOG_LEVEL=info, as the benchmark's Apache logs at warn and drops the same lines.
'use strict';

const logInfo = process.env.LOG_LEVEL === 'info';

module.exports = {
  log: {
    info: logInfo ? (line) => console.log(line) : () => {},
  },
};
