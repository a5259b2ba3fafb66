// The batch chain: each event leaf of a lot carries `batch <lot> <prev>`, the log index of the
// lot's previous event ("-" for its first). With the events in log order, every prev must be
// the previous event of the document; a prev the document lacks is a dropped event.

function at(event) {
  return `event ${event.position} (log index ${event.index})`;
}

function atZh(event) {
  return `第 ${event.position} 个事件（日志序号 ${event.index}）`;
}

// `events` are {index, position, leaf} in document order (leaf or index may be null when they
// could not be read; those are reported elsewhere). Returns a list of {en, zh, position}
// problems, `position` being the event whose link is wrong.
export function checkChain(batch, events) {
  const problems = [];
  for (let i = 1; i < events.length; i++) {
    const [before, event] = [events[i - 1], events[i]];
    if (before.index !== null && event.index !== null && event.index <= before.index) {
      problems.push({
        en: `events out of order: ${at(event)} after log index ${before.index}`,
        zh: `事件顺序错乱：${atZh(event)}排在日志序号 ${before.index} 之后`,
        position: event.position,
      });
    }
  }
  if (problems.length) return problems; // a reordered list makes every link look wrong
  const inDocument = new Set(events.map((e) => e.index).filter((index) => index !== null));
  const missing = (prev, event) => ({
    en: `event at log index ${prev} missing (batch chain gap)`,
    zh: `缺少日志序号 ${prev} 的事件（批次事件链断裂）`,
    position: event.position,
  });
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const link = event.leaf && event.leaf.batches.find((b) => b.lot === batch);
    if (!link || event.index === null) continue;
    if (i > 0 && events[i - 1].index === null) continue; // unknown neighbour: nothing to compare
    const expected = i === 0 ? null : events[i - 1].index;
    if (link.prev === expected) continue;
    if (link.prev === null) {
      problems.push({
        en: `${at(event)}: batch chain restarts (prev "-")`,
        zh: `${atZh(event)}：批次事件链重新开始（前序为"-"）`,
        position: event.position,
      });
    } else if (link.prev >= event.index) {
      problems.push({
        en: `${at(event)}: prev log index ${link.prev} is not earlier`,
        zh: `${atZh(event)}：前序日志序号 ${link.prev} 不在其之前`,
        position: event.position,
      });
    } else if (inDocument.has(link.prev)) {
      problems.push({
        en: `${at(event)}: batch chain links to log index ${link.prev}, not ${expected}`,
        zh: `${atZh(event)}：批次事件链指向日志序号 ${link.prev}，而非 ${expected}`,
        position: event.position,
      });
    } else {
      problems.push(missing(link.prev, event));
    }
  }
  return problems;
}
