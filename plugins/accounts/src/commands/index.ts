/** The top-level CLI groups this plugin adds: `hostplane users|packages|subscriptions …`. */
import { packageCommands } from './packages.js';
import { subscriptionCommands } from './subscriptions.js';
import { userCommands } from './users.js';

export const cliCommands = [...userCommands, ...packageCommands, ...subscriptionCommands];
