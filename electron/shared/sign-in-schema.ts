// The schema of a connection's sign-in section (see sign-in.ts for what each method means).
import { z } from 'zod';
import { SIGN_IN_METHODS } from './sign-in-methods';

export const assumeRoleSchema = z.strictObject({
  roleArn: z
    .string()
    .trim()
    .regex(/^arn:aws[a-z-]*:iam::\d{0,12}:role\/.+$/, {
      error: 'must be a role ARN, for example "arn:aws:iam::123456789012:role/vitally-exports-reader"',
    }),
  // AWS accepts 2 to 1224 characters from this set.
  externalId: z
    .string()
    .trim()
    .regex(/^[\w+=,.@:/-]{2,1224}$/, {
      error: 'must be 2 to 1224 letters, digits or any of + = , . @ : / - _ (as the role owner gave it to you)',
    })
    .optional(),
  sessionName: z
    .string()
    .regex(/^[\w+=,.@-]{2,64}$/, { error: 'must be 2 to 64 letters, digits or any of + = , . @ - _' })
    .optional(),
});
export type AssumeRoleConfig = z.infer<typeof assumeRoleSchema>;

const assumeRole = assumeRoleSchema.optional();

export const signInSchema = z.discriminatedUnion(
  'method',
  [
    z.strictObject({ method: z.literal('accessKey'), assumeRole }),
    z.strictObject({
      method: z.literal('temporaryKeys'),
      /** When the keys stop working, as their issuer said (not secret); lets the app say so plainly. */
      expiresAt: z.iso
        .datetime({ offset: true, error: 'must be a date and time, for example "2026-12-01T14:05:00Z"' })
        .optional(),
      assumeRole,
    }),
    z.strictObject({
      method: z.literal('profile'),
      profile: z
        .string()
        .trim()
        .regex(/^[\w.@+-]{1,128}$/, { error: 'must name a profile of ~/.aws/config, for example "analytics"' }),
      assumeRole,
    }),
    z.strictObject({ method: z.literal('defaultChain'), assumeRole }),
    z.strictObject({ method: z.literal('public') }),
  ],
  {
    error: `must have a method: ${SIGN_IN_METHODS.map((m) => `"${m}"`).join(', ')}`,
  },
);
export type SignInConfig = z.infer<typeof signInSchema>;
