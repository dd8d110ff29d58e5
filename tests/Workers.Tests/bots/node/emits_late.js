// Answers with n after sleepMs; with lateLogMs, leaves a timer that logs that long after the job ended.
"use strict";

exports.handle = async (request, emit) => {
  const payload = request.payload || {};
  const n = payload.n || 0;
  if (payload.lateLogMs) {
    setTimeout(() => emit({ log: `late from job ${n}` }), payload.lateLogMs);
  }
  await new Promise((resolve) => setTimeout(resolve, payload.sleepMs || 0));
  emit({ result: { n } });
};
