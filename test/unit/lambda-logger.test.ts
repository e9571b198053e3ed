// The handlers' logger: Powertools' JSON lines behind the Logger port, with the Lambda context and LOG_LEVEL.
import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { lambdaLogger } from '#functions/adapters/aws/dependencies.js';
import { emitMetrics } from '#functions/adapters/aws/metrics.js';
import { loadConfig } from '#functions/config.js';
import { logsOf } from '../helpers/logs.js';

const context = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  functionName: 'SpotifyEtl-Transformer',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:SpotifyEtl-Transformer',
  memoryLimitInMB: '1024',
} as Context;

describe('lambdaLogger', () => {
  it('writes one JSON object per line with the details as keys, and the request id after addContext', async () => {
    const logger = lambdaLogger(loadConfig({}));
    const lines = await logsOf(() => {
      logger.info('before context', { objects: 2 });
      logger.addContext(context);
      logger.warn('transform finished', { rejected: 1, failedObjects: [] });
    });
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'before context',
      service: 'spotify-etl',
      objects: 2,
    });
    expect(lines[0]).not.toHaveProperty('function_request_id');
    expect(lines[1]).toMatchObject({
      level: 'WARN',
      message: 'transform finished',
      rejected: 1,
      failedObjects: [],
      function_request_id: context.awsRequestId,
      function_name: 'SpotifyEtl-Transformer',
      cold_start: expect.any(Boolean) as unknown as boolean,
    });
    expect(typeof lines[1]?.timestamp).toBe('string');
  });

  it('drops lines below LOG_LEVEL', async () => {
    const logger = lambdaLogger(loadConfig({ LOG_LEVEL: 'WARN' }));
    const lines = await logsOf(() => {
      logger.info('chatty');
      logger.error('kept', { key: 'raw/1' });
    });
    expect(lines.map((l) => [l.level, l.message])).toEqual([['ERROR', 'kept']]);
  });
});

describe('emitMetrics', () => {
  it('writes one EMF line under SpotifyEtl with the Function dimension alone (no service dimension)', async () => {
    const [line, ...more] = await logsOf(() =>
      emitMetrics('transform', { RowsWritten: 3, RejectedLines: 0 }),
    );
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'SpotifyEtl',
            Dimensions: [['Function']],
            Metrics: [
              { Name: 'RowsWritten', Unit: 'Count' },
              { Name: 'RejectedLines', Unit: 'Count' },
            ],
          },
        ],
      },
      Function: 'transform',
      RowsWritten: 3,
      RejectedLines: 0,
    });
    expect(line).not.toHaveProperty('service');
  });
});
