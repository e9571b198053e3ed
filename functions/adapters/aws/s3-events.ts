// Decodes S3 event notifications: the object keys an ObjectCreated event names.

/** Object keys in an S3 event, decoded as S3 encodes them (form encoding: '+' is a space). */
export function objectKeysOf(event: {
  readonly Records?: readonly { readonly s3: { readonly object: { readonly key: string } } }[];
}): string[] {
  return (event.Records ?? []).map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
}
