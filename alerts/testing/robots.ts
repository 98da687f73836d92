import { createServer, type Server } from 'node:http';

/**
 * Local stand-ins for the DingTalk and WeCom group robots that enforce their documented limits, for tests that
 * count what a storm sends: 20 messages a minute per robot (DingTalk errcode 130101 "send too fast", WeCom 45009
 * "api freq out of limit"), and the size of a markdown message (WeCom 4,096 bytes of content → 40058; DingTalk
 * 20,000 bytes of body → 460101). Time is the test's clock, so a simulated minute is a minute.
 */
export interface LocalRobot {
  url: string;
  /** Messages accepted (parsed bodies) and refused (errcode and why). */
  accepted: { at: number; body: any }[];
  refused: { at: number; errcode: number; why: string }[];
  close(): Promise<void>;
}

export async function localRobot(kind: 'dingtalk' | 'wecom', now: () => number): Promise<LocalRobot> {
  const accepted: LocalRobot['accepted'] = [];
  const refused: LocalRobot['refused'] = [];
  const recent: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const answer = (errcode: number, errmsg: string) => {
        if (errcode !== 0) refused.push({ at: now(), errcode, why: errmsg });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ errcode, errmsg }));
      };
      const t = now();
      while (recent.length && recent[0] <= t - 60_000) recent.shift();
      if (recent.length >= 20) return answer(kind === 'dingtalk' ? 130101 : 45009, kind === 'dingtalk' ? 'send too fast' : 'api freq out of limit');
      let body: any;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return answer(kind === 'dingtalk' ? 43001 : 40008, 'invalid json');
      }
      if (body.msgtype !== 'markdown') return answer(40008, 'invalid message type');
      if (kind === 'wecom' && Buffer.byteLength(String(body.markdown?.content ?? '')) > 4096) return answer(40058, 'markdown.content exceed max length 4096');
      if (kind === 'dingtalk' && raw.length > 20_000) return answer(460101, 'message too long, exceed 20000 bytes');
      recent.push(t);
      accepted.push({ at: t, body });
      answer(0, 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/${kind === 'dingtalk' ? 'robot/send' : 'cgi-bin/webhook/send'}`,
    accepted,
    refused,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
