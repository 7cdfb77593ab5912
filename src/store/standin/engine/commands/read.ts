import type { Document } from 'bson';
import { Aggregator, ProcessingMode } from 'mingo';
import { resolve } from 'mingo/util';
import { mongoError } from '../../errors';
import { collectionName } from '../catalog';
import type { CommandHandler, EngineContext } from '../context';
import { project, runFind } from '../query';
import { canonicalKey, deepClone, indexValues } from '../values';

const find: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.find, 'find');
  const filter = command.filter as Document | undefined;
  const limit = Math.abs(Number(command.limit ?? 0));
  const result = runFind(ctx.catalog.get(db, name), {
    filter,
    sort: command.sort as Document | undefined,
    skip: Number(command.skip ?? 0),
    limit,
  });
  const docs = project(result.docs, command.projection as Document | undefined, filter);
  const singleBatch = command.singleBatch === true || Number(command.limit) < 0;
  return ctx.cursors.firstBatch(`${db}.${name}`, docs, command.batchSize, ctx.now().getTime(), singleBatch);
};

const getMore: CommandHandler = (ctx, db, command) => ctx.cursors.getMore(command, db, ctx.now().getTime());

const killCursors: CommandHandler = (ctx, _db, command) => ctx.cursors.kill((command.cursors as unknown[] | undefined) ?? []);

const count: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.count, 'count');
  const coll = ctx.catalog.get(db, name);
  const query = command.query as Document | undefined;
  if (!query || Object.keys(query).length === 0) {
    const total = coll?.size ?? 0;
    const skipped = Math.max(0, total - Number(command.skip ?? 0));
    const limit = Math.abs(Number(command.limit ?? 0));
    return { n: limit > 0 ? Math.min(limit, skipped) : skipped, ok: 1 };
  }
  const result = runFind(coll, { filter: query, skip: Number(command.skip ?? 0), limit: Math.abs(Number(command.limit ?? 0)) });
  return { n: result.docs.length, ok: 1 };
};

const distinct: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.distinct, 'distinct');
  if (typeof command.key !== 'string') throw mongoError('TypeMismatch', "BSON field 'distinct.key' is missing but a required field");
  const key = command.key;
  const { docs } = runFind(ctx.catalog.get(db, name), { filter: command.query as Document | undefined });
  const seen = new Map<string, unknown>();
  for (const doc of docs) {
    for (const v of indexValues(doc, key)) {
      // A document without the field contributes nothing (unlike an index, which stores null).
      if (v === null && resolve(doc, key) === undefined) continue;
      if (v !== undefined && !seen.has(canonicalKey(v))) seen.set(canonicalKey(v), v);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

const aggregate: CommandHandler = (ctx, db, command) => {
  const pipeline = command.pipeline;
  if (!Array.isArray(pipeline)) throw mongoError('TypeMismatch', "'pipeline' option must be specified as an array");
  const first = pipeline[0] as Document | undefined;
  if (first && '$changeStream' in first) {
    throw mongoError('Location40573', 'The $changeStream stage is only supported on replica sets');
  }
  for (const stage of pipeline as Document[]) {
    const op = Object.keys(stage)[0];
    if (op === '$out' || op === '$merge') throw mongoError('NotImplemented', `the stand-in does not support ${op}`);
  }
  const source = command.aggregate === 1 ? [] : aggregateSource(ctx, db, pipeline as Document[], collectionName(command.aggregate, 'aggregate'));
  let docs: Document[];
  try {
    docs = new Aggregator(pipeline as Document[], {
      scriptEnabled: false,
      processingMode: readOnlyPipeline(pipeline as Document[]) ? ProcessingMode.CLONE_OFF : ProcessingMode.CLONE_INPUT,
      collectionResolver: (name: string) => [...(ctx.catalog.get(db, name)?.all() ?? [])].map((d) => deepClone(d)),
      variables: { NOW: ctx.now() },
    }).run(source) as Document[];
  } catch (err) {
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
  const name = command.aggregate === 1 ? '$cmd.aggregate' : String(command.aggregate);
  return ctx.cursors.firstBatch(`${db}.${name}`, docs, (command.cursor as Document | undefined)?.batchSize, ctx.now().getTime());
};

/** Stages that build new documents rather than editing their input; other stages get copies. */
const NON_MUTATING = new Set(['$match', '$group', '$count', '$sort', '$limit', '$skip', '$project', '$sortByCount']);

function readOnlyPipeline(pipeline: Document[]): boolean {
  return pipeline.every((stage) => NON_MUTATING.has(Object.keys(stage)[0] ?? ''));
}

/** A leading `$match` is answered through the indexes, like the query planner would. */
function aggregateSource(ctx: EngineContext, db: string, pipeline: Document[], name: string): Document[] {
  const coll = ctx.catalog.get(db, name);
  if (!coll) return [];
  const match = pipeline[0]?.$match as Document | undefined;
  if (!match) return [...coll.all()];
  return runFind(coll, { filter: match }).docs;
}

const explain: CommandHandler = (ctx, db, command) => {
  const inner = command.explain as Document | undefined;
  if (!inner || (inner.find === undefined && inner.count === undefined)) {
    throw mongoError('NotImplemented', 'the stand-in explains find and count only');
  }
  const name = collectionName(inner.find ?? inner.count, 'explain');
  const filter = (inner.filter ?? inner.query) as Document | undefined;
  const result = runFind(ctx.catalog.get(db, name), {
    filter,
    sort: inner.sort as Document | undefined,
    skip: Number(inner.skip ?? 0),
    limit: Math.abs(Number(inner.limit ?? 0)),
  });
  const scan = result.indexName
    ? { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: result.indexName } }
    : { stage: 'COLLSCAN' };
  return {
    explainVersion: '1',
    queryPlanner: { namespace: `${db}.${name}`, parsedQuery: filter ?? {}, winningPlan: scan, rejectedPlans: [] },
    executionStats: {
      executionSuccess: true,
      nReturned: result.docs.length,
      totalKeysExamined: result.keysExamined,
      totalDocsExamined: result.docsExamined,
      executionStages: scan,
    },
    ok: 1,
  };
};

export const readCommands: Record<string, CommandHandler> = { find, getMore, killCursors, count, distinct, aggregate, explain };
