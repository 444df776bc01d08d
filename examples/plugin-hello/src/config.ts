import { Type } from '@hostplane/sdk';

/** Config an admin can change with `hostplane plugins config set hello greeting=Hi`. */
export const HelloConfig = Type.Object(
  {
    greeting: Type.String({ default: 'Hello', minLength: 1, maxLength: 40, description: 'Word to greet with' }),
    keepDays: Type.Integer({ default: 30, minimum: 1, maximum: 3650, description: 'Days greetings are kept' }),
  },
  { additionalProperties: false },
);
