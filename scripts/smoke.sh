#!/usr/bin/env bash
# Opt-in post-deploy smoke test for a deployed SpotifyEtl stack: drops a Charts CSV in the inbox, runs the
# extractor, waits for the transformer's song_data partition, and counts the day's rows in Athena.
# Needs the AWS CLI v2, credentials for the account, and `npx cdk deploy` done. It cannot run in this
# repository's CI (no AWS account there); it has never been run against a real deployment by CI.
# Usage: scripts/smoke.sh <regional-…-daily-YYYY-MM-DD.csv> [stack name, default SpotifyEtl]
set -euo pipefail
csv=${1:?usage: scripts/smoke.sh <regional-…-daily-YYYY-MM-DD.csv> [stack]}
stack=${2:-SpotifyEtl}
name=$(basename "$csv")
date=$(echo "$name" | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}') || { echo "error: $name has no YYYY-MM-DD date" >&2; exit 2; }
rows=$(($(grep -cve '^\s*$' "$csv") - 1))

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket=$(output DataBucketName)
extractor=$(output ExtractorFunctionName)
workgroup=$(output AthenaWorkGroup)

echo "1/4 upload $name to s3://$bucket/top_200_global/inbox/"
aws s3 cp "$csv" "s3://$bucket/top_200_global/inbox/$name"

echo "2/4 invoke $extractor"
aws lambda invoke --function-name "$extractor" --payload '{}' --cli-binary-format raw-in-base64-out /tmp/smoke-extract.json >/dev/null
cat /tmp/smoke-extract.json; echo

echo "3/4 wait for song_data/snapshot_date=$date (Firehose buffers up to 60 s, then the transformer runs)"
for _ in $(seq 1 30); do
  if aws s3 ls "s3://$bucket/top_200_global/transformed_data/song_data/snapshot_date=$date/" >/dev/null 2>&1; then break; fi
  sleep 10
done

echo "4/4 count the day's rows in Athena (expected $rows)"
qid=$(aws athena start-query-execution --work-group "$workgroup" \
  --query-execution-context Database=spotify_etl \
  --query-string "SELECT count(*) FROM song_data WHERE snapshot_date = DATE '$date'" \
  --query QueryExecutionId --output text)
for _ in $(seq 1 30); do
  state=$(aws athena get-query-execution --query-execution-id "$qid" --query QueryExecution.Status.State --output text)
  [[ $state == SUCCEEDED || $state == FAILED || $state == CANCELLED ]] && break
  sleep 2
done
[[ $state == SUCCEEDED ]] || { echo "error: Athena query $qid $state" >&2; exit 1; }
count=$(aws athena get-query-results --query-execution-id "$qid" --query 'ResultSet.Rows[1].Data[0].VarCharValue' --output text)
echo "song_data rows for $date: $count"
[[ $count == "$rows" ]] && echo "smoke test passed" || { echo "smoke test FAILED: expected $rows" >&2; exit 1; }
