/** HTTP routes under /v1/hello. Each states its permission and its schemas. */
import { ErrorResponseSchema, Type, type RouteApp } from '@hostplane/sdk';
import { GreetingNotFound } from './errors.js';
import { createGreeting, getGreeting, listGreetings, type Greeting, type GreetingDeps } from './greetings.js';

const GreetingSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  text: Type.String(),
  banner: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** Body of POST /greetings; the panel page builds its form from it too. */
export const NewGreetingSchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 60, title: 'Name' }) },
  { additionalProperties: false },
);

function view(g: Greeting) {
  return {
    id: g.id,
    name: g.name,
    text: g.text,
    banner: g.banner,
    createdAt: g.created_at.toISOString(),
    deliveredAt: g.delivered_at ? g.delivered_at.toISOString() : null,
  };
}

export function helloRoutes(deps: GreetingDeps, greeting: () => string) {
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'hello.greeting.read' },
        schema: {
          summary: 'Greet someone',
          tags: ['hello'],
          querystring: Type.Object({ name: Type.String({ minLength: 1, maxLength: 60 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ text: Type.String() }) },
        },
      },
      async (request) => ({ text: `${greeting()}, ${request.query.name}!` }),
    );

    app.get(
      '/greetings',
      {
        config: { permission: 'hello.greeting.read' },
        schema: {
          summary: 'List stored greetings, newest first',
          tags: ['hello'],
          querystring: Type.Object(
            { limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(GreetingSchema) }) },
        },
      },
      async (request) => ({ items: (await listGreetings(deps.db, request.query.limit)).map(view) }),
    );

    app.get(
      '/greetings/:id',
      {
        config: { permission: 'hello.greeting.read' },
        schema: {
          summary: 'One greeting',
          tags: ['hello'],
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          response: { 200: GreetingSchema, 404: ErrorResponseSchema },
        },
      },
      async (request) => {
        const found = await getGreeting(deps.db, request.params.id);
        if (!found) throw GreetingNotFound(request.params.id);
        return view(found);
      },
    );

    app.post(
      '/greetings',
      {
        config: { permission: 'hello.greeting.write', audit: 'hello.greeting.created' },
        schema: {
          summary: 'Store a greeting; a job draws its banner',
          tags: ['hello'],
          body: NewGreetingSchema,
          response: { 201: GreetingSchema, 409: ErrorResponseSchema },
        },
      },
      async (request, reply) => {
        const created = await createGreeting(deps, {
          name: request.body.name,
          text: `${greeting()}, ${request.body.name}!`,
          createdBy: request.actor?.userId ?? null,
        });
        return reply.code(201).send(view(created));
      },
    );
  };
}
