import { z } from "zod";

type SchemaTransform = (doc: { schema: Record<string, unknown>; url: string }) => {
  schema: Record<string, unknown>;
  url: string;
};

/** Converts a route's zod schemas to OpenAPI 3.0 JSON schemas for @fastify/swagger. */
export const zodToOpenApi: SchemaTransform = ({ schema, url }) => {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const key of ["params", "querystring", "body", "headers"]) {
    if (schema[key] instanceof z.ZodType) out[key] = toJson(schema[key] as z.ZodType, "input");
  }
  const response = schema.response as Record<string, unknown> | undefined;
  if (response) {
    out.response = Object.fromEntries(
      Object.entries(response).map(([status, r]) => {
        if (r instanceof z.ZodType) return [status, toJson(r, "output")];
        const content = (r as { content?: Record<string, { schema: unknown }> }).content;
        if (!content) return [status, r];
        const converted = Object.fromEntries(
          Object.entries(content).map(([type, c]) => [
            type,
            { schema: c.schema instanceof z.ZodType ? toJson(c.schema, "output") : c.schema },
          ]),
        );
        return [status, { ...(r as object), content: converted }];
      }),
    );
  }
  return { schema: out, url };
};

function toJson(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, {
    target: "openapi-3.0",
    io,
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return json;
}
