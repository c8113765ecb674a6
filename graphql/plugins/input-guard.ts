/**
 * Strings no DocTel value can hold are refused at the boundary, before any resolver runs: a NUL
 * character (U+0000) anywhere in a variable or a literal argument. PostgreSQL text cannot store
 * it, so it would otherwise reach the database and fail there (a 500 before this check).
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { type DocumentNode, Kind, visit } from "graphql";
import type { ApiContext } from "../context.ts";
import { apiError } from "../errors.ts";

/** The path of the first string holding a NUL character in `value`, or null. */
export function nulPath(value: unknown, path = "$"): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      const found = nulPath(v, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

function literalWithNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING](node) {
      if (node.value.includes("\u0000")) found = true;
    },
  });
  return found;
}

export function inputGuardPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const variable = nulPath(request.variables ?? {}, "variables");
          if (variable !== null || literalWithNul(document)) {
            throw apiError(
              "BAD_USER_INPUT",
              `${variable ?? "a string argument"} contains a NUL character (U+0000), which no DocTel value can hold`,
            );
          }
        },
      };
    },
  };
}
