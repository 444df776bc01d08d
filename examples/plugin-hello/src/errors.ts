import { defineError } from '@hostplane/sdk';

export const GreetingNotFound = defineError('HELLO_ERR_NOT_FOUND', 404, (id: string) => `no greeting ${id}`);
export const NameRefused = defineError('HELLO_ERR_NAME_REFUSED', 409, (name: string) => `"${name}" may not be greeted`);
