/**
 * Query limits, checked after validation and before execution: a query over any of them is refused
 * with QUERY_TOO_COMPLEX (HTTP 400) and never touches the database.
 *
 * - Depth: nesting of fields.
 * - Cost, an estimate of the work and of the response's size: every field costs 1, or its
 *   `@cost(weight:)` from the schema when it returns much more than a scalar (one unit is about
 *   100 bytes of response: `Deployment.abi` weighs 300); the children of a field with `first` (or
 *   `maxPoints`) count that many times (the default page size when absent); other list fields count
 *   LIST_ESTIMATE times; a connection's `nodes` are already counted by its `first`. Introspection
 *   fields are free (introspection itself is switched by INTROSPECTION). Callers without a session
 *   get a much smaller budget (MAX_QUERY_COST_ANONYMOUS) than signed-in ones (MAX_QUERY_COST).
 * - Aliases: one field may appear under at most MAX_ALIASES response names in one selection set,
 *   so no query asks for the same thing a thousand times.
 * - Mutations: one mutation field per request, so a write cannot be aliased into many.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import {
  type FieldNode,
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

/** SDL of the directive that weighs a field (graphql/schema/base.ts declares it). */
export const COST_DIRECTIVE = "cost";

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxCostAnonymous: number;
  maxAliases: number;
  defaultPageSize: number;
}

export interface Complexity {
  depth: number;
  cost: number;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  defaultPageSize: number;
  maxAliases: number;
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

/** A field's own cost: its `@cost(weight:)`, else 1. */
function weightOf(def: GraphQLField<unknown, unknown> | undefined): number {
  const directive = def?.astNode?.directives?.find((d) => d.name.value === COST_DIRECTIVE);
  const weight = directive?.arguments?.find((a) => a.name.value === "weight")?.value;
  return weight?.kind === Kind.INT ? Number(weight.value) : 1;
}

/** The fields of a selection set with their parent type, fragments followed (each spread once per path). */
function collectFields(
  w: Walk,
  set: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  seen: ReadonlySet<string>,
  out: { node: FieldNode; parent: GraphQLNamedType | undefined }[],
): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      out.push({ node: selection, parent });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? w.schema.getType(selection.typeCondition.name.value) : parent;
      collectFields(w, selection.selectionSet, on ?? undefined, seen, out);
    } else {
      const name = selection.name.value;
      const fragment = w.fragments[name];
      if (!fragment || seen.has(name)) continue; // cycles are a validation error already
      const on = w.schema.getType(fragment.typeCondition.name.value) ?? undefined;
      collectFields(w, fragment.selectionSet, on, new Set([...seen, name]), out);
    }
  }
}

function walk(
  w: Walk,
  set: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  seen: ReadonlySet<string>,
): Complexity {
  const fields: { node: FieldNode; parent: GraphQLNamedType | undefined }[] = [];
  collectFields(w, set, parent, seen, fields);
  const aliases = new Map<string, Set<string>>();
  let depth = 0;
  let cost = 0;
  for (const { node, parent: on } of fields) {
    const name = node.name.value;
    if (name.startsWith("__")) continue;
    const keys = aliases.get(name) ?? new Set<string>();
    keys.add(node.alias?.value ?? name);
    aliases.set(name, keys);
    if (keys.size > w.maxAliases) {
      throw apiError(
        "QUERY_TOO_COMPLEX",
        `field "${name}" is asked for under more than ${w.maxAliases} names in one selection (MAX_ALIASES)`,
        { field: name, maxAliases: w.maxAliases },
      );
    }
    const def = fieldsOf(on)[name];
    const type = def ? getNullableType(def.type) : undefined;
    let multiplier = 1;
    const args = Object.fromEntries((node.arguments ?? []).map((a) => [a.name.value, a.value]));
    const hasFirst = def?.args.some((a) => a.name === "first");
    const hasSeries = def?.args.some((a) => a.name === "maxPoints");
    if (hasFirst) multiplier = argNumber(args.first, w.variables) ?? w.defaultPageSize;
    else if (hasSeries) multiplier = argNumber(args.maxPoints, w.variables) ?? SERIES_DEFAULT;
    else if (type && isListType(type) && !(name === "nodes" && on?.name.endsWith("Connection"))) {
      multiplier = LIST_ESTIMATE;
    }
    const child = node.selectionSet
      ? walk(w, node.selectionSet, def ? getNamedType(def.type) : undefined, seen)
      : { depth: 0, cost: 0 };
    depth = Math.max(depth, 1 + child.depth);
    cost += weightOf(def) + Math.max(1, multiplier) * child.cost;
  }
  return { depth, cost };
}

/** Depth and cost of an operation (throws QUERY_TOO_COMPLEX on too many aliases). */
export function measure(
  schema: GraphQLSchema,
  document: { definitions: readonly { kind: string }[] },
  selectionSet: SelectionSetNode,
  root: GraphQLNamedType | undefined,
  options: { variables: Record<string, unknown>; defaultPageSize: number; maxAliases: number },
): Complexity {
  return walk({ schema, fragments: fragmentsOf(document), ...options }, selectionSet, root, new Set());
}

export function complexityPlugin(limits: QueryLimits): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema, contextValue }) {
          if (!operation) return;
          const root =
            operation.operation === "mutation"
              ? schema.getMutationType()
              : operation.operation === "subscription"
                ? schema.getSubscriptionType()
                : schema.getQueryType();
          if (operation.operation === "mutation") {
            const fields: { node: FieldNode; parent: GraphQLNamedType | undefined }[] = [];
            collectFields(
              { schema, fragments: fragmentsOf(document), variables: {}, defaultPageSize: 0, maxAliases: 0 },
              operation.selectionSet,
              root ?? undefined,
              new Set(),
              fields,
            );
            if (fields.filter((f) => !f.node.name.value.startsWith("__")).length > 1) {
              throw apiError("QUERY_TOO_COMPLEX", "send one mutation per request", {
                mutations: fields.length,
              });
            }
          }
          const { depth, cost } = measure(schema, document, operation.selectionSet, root ?? undefined, {
            variables: request.variables ?? {},
            defaultPageSize: limits.defaultPageSize,
            maxAliases: limits.maxAliases,
          });
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
          const signedIn = contextValue.viewer !== null;
          const maxCost = signedIn ? limits.maxCost : limits.maxCostAnonymous;
          if (cost > maxCost) {
            throw apiError(
              "QUERY_TOO_COMPLEX",
              `query cost ${cost} exceeds the limit of ${maxCost}${signedIn ? "" : " for callers without a session"} (ask for fewer items per page, fewer nested lists or fewer large fields)`,
              { cost, maxCost },
            );
          }
        },
      };
    },
  };
}

function fragmentsOf(document: { definitions: readonly { kind: string }[] }) {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) {
      const fragment = def as FragmentDefinitionNode;
      fragments[fragment.name.value] = fragment;
    }
  }
  return fragments;
}
