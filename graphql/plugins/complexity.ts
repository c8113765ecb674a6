/**
 * Depth and cost limits, checked after validation and before execution: a query over either
 * limit is refused with QUERY_TOO_COMPLEX and never touches the database.
 *
 * Cost: every field costs 1; the children of a field with `first` (or `maxPoints`) count that
 * many times (the default page size when absent); other list fields count LIST_ESTIMATE times;
 * a connection's `nodes` are already counted by its `first`. Introspection fields are free
 * (introspection itself is switched by INTROSPECTION).
 */
import type { ApolloServerPlugin } from "@apollo/server";
import {
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import type { ApiContext } from "../context.ts";
import { apiError } from "../errors.ts";

export const LIST_ESTIMATE = 10;
const SERIES_DEFAULT = 500;

export interface Complexity {
  depth: number;
  cost: number;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  defaultPageSize: number;
}

function argNumber(value: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === "number" ? v : undefined;
  }
  return undefined;
}

function fieldsOf(type: GraphQLNamedType | undefined): Record<string, GraphQLField<unknown, unknown>> {
  return type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields() : {};
}

function walk(
  w: Walk,
  set: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  seen: Set<string>,
): Complexity {
  let depth = 0;
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith("__")) continue;
      const def = fieldsOf(parent)[name];
      const type = def ? getNullableType(def.type) : undefined;
      let multiplier = 1;
      const args = Object.fromEntries((selection.arguments ?? []).map((a) => [a.name.value, a.value]));
      const hasFirst = def?.args.some((a) => a.name === "first");
      const hasSeries = def?.args.some((a) => a.name === "maxPoints");
      if (hasFirst) multiplier = argNumber(args.first, w.variables) ?? w.defaultPageSize;
      else if (hasSeries) multiplier = argNumber(args.maxPoints, w.variables) ?? SERIES_DEFAULT;
      else if (type && isListType(type) && !(name === "nodes" && parent?.name.endsWith("Connection"))) {
        multiplier = LIST_ESTIMATE;
      }
      const child = selection.selectionSet
        ? walk(w, selection.selectionSet, def ? getNamedType(def.type) : undefined, seen)
        : { depth: 0, cost: 0 };
      depth = Math.max(depth, 1 + child.depth);
      cost += 1 + Math.max(1, multiplier) * child.cost;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? w.schema.getType(selection.typeCondition.name.value) : parent;
      const child = walk(w, selection.selectionSet, on ?? undefined, seen);
      depth = Math.max(depth, child.depth);
      cost += child.cost;
    } else {
      const name = selection.name.value;
      const fragment = w.fragments[name];
      if (!fragment || seen.has(name)) continue; // cycles are a validation error already
      const on = w.schema.getType(fragment.typeCondition.name.value) ?? undefined;
      const child = walk(w, fragment.selectionSet, on, new Set([...seen, name]));
      depth = Math.max(depth, child.depth);
      cost += child.cost;
    }
  }
  return { depth, cost };
}

export function complexityPlugin(limits: {
  maxDepth: number;
  maxCost: number;
  defaultPageSize: number;
}): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const def of document.definitions) {
            if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
          }
          const root =
            operation.operation === "mutation"
              ? schema.getMutationType()
              : operation.operation === "subscription"
                ? schema.getSubscriptionType()
                : schema.getQueryType();
          const { depth, cost } = walk(
            {
              schema,
              fragments,
              variables: request.variables ?? {},
              defaultPageSize: limits.defaultPageSize,
            },
            operation.selectionSet,
            root ?? undefined,
            new Set(),
          );
          if (depth > limits.maxDepth) {
            throw apiError(
              "QUERY_TOO_COMPLEX",
              `query depth ${depth} exceeds the limit of ${limits.maxDepth}`,
              {
                depth,
                maxDepth: limits.maxDepth,
              },
            );
          }
          if (cost > limits.maxCost) {
            throw apiError(
              "QUERY_TOO_COMPLEX",
              `query cost ${cost} exceeds the limit of ${limits.maxCost} (ask for fewer items per page or fewer nested lists)`,
              { cost, maxCost: limits.maxCost },
            );
          }
        },
      };
    },
  };
}
