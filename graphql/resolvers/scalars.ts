/** Custom scalars: checked at the boundary, with a message that says what was expected. */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode, valueFromASTUntyped } from "graphql";

function bad(message: string): never {
  throw new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function literalString(ast: ValueNode, name: string): string {
  if (ast.kind === Kind.STRING) return ast.value;
  if (ast.kind === Kind.INT && name === "BigInt") return ast.value;
  return bad(`${name} must be given as a string`);
}

function hexScalar(name: string, bytes: number, description: string): GraphQLScalarType {
  const pattern = new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`);
  const parse = (value: unknown): string => {
    if (typeof value !== "string" || !pattern.test(value))
      bad(`${name} must be 0x followed by ${bytes * 2} hex digits`);
    return (value as string).toLowerCase();
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => String(value).toLowerCase(),
    parseValue: parse,
    parseLiteral: (ast) => parse(literalString(ast, name)),
  });
}

function parseDateTime(value: unknown): Date {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value)) {
    bad("DateTime must be an ISO-8601 string such as 2026-01-31T09:30:00Z");
  }
  const date = new Date(value as string);
  if (Number.isNaN(date.getTime())) bad("DateTime is not a valid time");
  return date;
}

export const scalarResolvers = {
  DateTime: new GraphQLScalarType({
    name: "DateTime",
    serialize: (value) =>
      value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString(),
    parseValue: parseDateTime,
    parseLiteral: (ast) => parseDateTime(literalString(ast, "DateTime")),
  }),
  Date: new GraphQLScalarType({
    name: "Date",
    serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
    parseValue: (value) => {
      if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) bad("Date must be YYYY-MM-DD");
      return value;
    },
    parseLiteral: (ast) => {
      const value = literalString(ast, "Date");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) bad("Date must be YYYY-MM-DD");
      return value;
    },
  }),
  BigInt: new GraphQLScalarType({
    name: "BigInt",
    serialize: (value) => String(value),
    parseValue: (value) => {
      const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
      if (typeof text !== "string" || !/^\d{1,19}$/.test(text))
        bad("BigInt must be a non-negative decimal integer string");
      return text;
    },
    parseLiteral: (ast) => {
      const value = literalString(ast, "BigInt");
      if (!/^\d{1,19}$/.test(value)) bad("BigInt must be a non-negative decimal integer string");
      return value;
    },
  }),
  JSON: new GraphQLScalarType({
    name: "JSON",
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
  }),
  Address: hexScalar("Address", 20, "A 20-byte account address."),
  Bytes32: hexScalar("Bytes32", 32, "A 32-byte reference."),
};
