// The ways the app can sign its S3 requests, by name: read by the schema (sign-in-schema.ts) and the
// renderer's labels (sign-in.ts) alike, so it sits apart from both.
export const SIGN_IN_METHODS = ['accessKey', 'temporaryKeys', 'profile', 'defaultChain', 'public'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];
