/**
 * The console's case routes: `GET /desk/api/queue`, `GET /desk/api/closed` (recently closed cases with their notes and
 * ratings), `GET /desk/api/cases/:caseId`, and the agent's actions on a case,
 * `POST .../accept`, `.../messages` and `.../close`.
 * @packageDocumentation
 */
import type * as restify from 'restify';
import { CONSOLE_CHANNEL } from '../deskAccounts';
import type { DeskBackend } from '../deskBackend';
import { toDeskAgentRef, toDeskCaseItem, toDeskCaseView, toDeskClosedItem } from '../deskViews';
import type { DeskConsoleContext } from './deskConsoleContext';
import { caseIdParam, isRecord, sendError, sendJson } from './deskHttp';
import { registerApiRoutes, type DeskApiHandler } from './guardedRoute';

const MAX_NOTE_CHARS = 2000;
/** Earlier cases of the same customer shown with a case. */
const EARLIER_CASES = 10;
/** Closed cases listed. */
const CLOSED_CASES = 50;

type ActionFailure = Exclude<Awaited<ReturnType<DeskBackend['send']>>, { ok: true }>;

/** Registers the queue, case view and case action routes. */
export function registerCaseRoutes(server: restify.Server, ctx: DeskConsoleContext): void {
  registerApiRoutes(server, ctx, [
    { method: 'get', path: '/desk/api/queue', mutating: false, handler: queue },
    { method: 'get', path: '/desk/api/closed', mutating: false, handler: closed },
    { method: 'get', path: '/desk/api/cases/:caseId', mutating: false, handler: caseView },
    { method: 'post', path: '/desk/api/cases/:caseId/accept', mutating: true, handler: accept },
    { method: 'post', path: '/desk/api/cases/:caseId/messages', mutating: true, handler: message },
    { method: 'post', path: '/desk/api/cases/:caseId/close', mutating: true, handler: close },
  ]);
}

const queue =
  ({ backend }: DeskConsoleContext): DeskApiHandler =>
  async (_req, res, session) => {
    const [waiting, mine] = await Promise.all([backend.listQueue(), backend.listAssigned(session.agent)]);
    sendJson(res, 200, { queue: waiting.map(toDeskCaseItem), mine: mine.map(toDeskCaseItem), now: new Date().toISOString() });
  };

const closed =
  ({ backend }: DeskConsoleContext): DeskApiHandler =>
  async (_req, res) => {
    const cases = backend.listClosed ? await backend.listClosed(CLOSED_CASES) : [];
    sendJson(res, 200, { closed: cases.map(toDeskClosedItem) });
  };

const caseView =
  ({ backend }: DeskConsoleContext): DeskApiHandler =>
  async (req, res, session) => {
    const id = caseIdParam(req, res);
    if (!id) return;
    const c = await backend.getCase(id);
    if (!c) return sendError(res, 404, 'NotFound', `No case ${id}.`);
    const earlier = await backend.earlierCases(c, EARLIER_CASES);
    sendJson(res, 200, { case: toDeskCaseView(c, session.agent), earlier: earlier.map(toDeskCaseItem) });
  };

const accept =
  ({ backend, logger }: DeskConsoleContext): DeskApiHandler =>
  async (req, res, session) => {
    const id = caseIdParam(req, res);
    if (!id) return;
    const result = await backend.accept(id, session.agent);
    if (result.ok) {
      logger.info('desk.accepted', { agent: session.agent.id, caseId: id });
      return sendJson(res, 200, { case: toDeskCaseView(result.case, session.agent) });
    }
    if (result.reason === 'not_found') return sendError(res, 404, 'NotFound', `No case ${id}.`);
    if (result.reason === 'taken') {
      // Accepted already by this agent on another console: the same answer as a fresh accept.
      const mine = result.by.id === session.agent.id && result.by.channel === CONSOLE_CHANNEL;
      return sendJson(res, mine ? 200 : 409, mine ? { case: toDeskCaseView(result.case, session.agent) } : {
        error: 'Taken',
        message: `${result.by.name ?? result.by.id} already has this case.`,
        by: toDeskAgentRef(result.by),
      });
    }
    sendJson(res, 409, { error: 'NotClaimable', message: `The case is ${result.state}.`, state: result.state });
  };

const message =
  ({ backend, limits }: DeskConsoleContext): DeskApiHandler =>
  async (req, res, session) => {
    const id = caseIdParam(req, res);
    if (!id) return;
    const text = isRecord(req.body) && typeof req.body.text === 'string' ? req.body.text.trim() : '';
    if (!text || text.length > limits.maxMessageChars) {
      return sendError(res, 400, 'BadRequest', `text must be 1-${limits.maxMessageChars} characters.`);
    }
    // The page's id for this message: a retry with the same id is sent once.
    const messageId = isRecord(req.body) ? req.body.id : undefined;
    if (messageId !== undefined && (typeof messageId !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(messageId))) {
      return sendError(res, 400, 'BadRequest', 'id must be 8-64 letters, digits, "-" or "_".');
    }
    const result = await backend.send(id, session.agent, text, messageId === undefined ? undefined : `${session.agent.id}:${messageId}`);
    if (result.ok) return sendJson(res, 202, { sent: true });
    actionFailed(res, id, result);
  };

const close =
  ({ backend, logger }: DeskConsoleContext): DeskApiHandler =>
  async (req, res, session) => {
    const id = caseIdParam(req, res);
    if (!id) return;
    const raw = isRecord(req.body) ? req.body.note : undefined;
    if (raw !== undefined && (typeof raw !== 'string' || raw.length > MAX_NOTE_CHARS)) {
      return sendError(res, 400, 'BadRequest', `note must be text of at most ${MAX_NOTE_CHARS} characters.`);
    }
    const note = typeof raw === 'string' && raw.trim() ? raw.trim() : undefined;
    const result = await backend.close(id, session.agent, note);
    if (result.ok) {
      logger.info('desk.closed', { agent: session.agent.id, caseId: id });
      return sendJson(res, 200, result.case ? { case: toDeskCaseView(result.case, session.agent) } : { closed: true });
    }
    actionFailed(res, id, result);
  };

/** Answers a send or close the backend refused: 404 unknown case, 403 not the agent's, 409 not assigned. */
function actionFailed(res: restify.Response, id: string, result: ActionFailure): void {
  if (result.reason === 'not_found') return sendError(res, 404, 'NotFound', `No case ${id}.`);
  if (result.reason === 'not_yours') {
    return sendJson(res, 403, {
      error: 'NotYourCase',
      message: result.by ? `${result.by.name ?? result.by.id} has this case.` : 'Accept the case first.',
      ...(result.by ? { by: toDeskAgentRef(result.by) } : {}),
    });
  }
  return sendJson(res, 409, { error: 'NotAssigned', message: `The case is ${result.state}.`, state: result.state });
}
