import { authTypeDefs } from "./auth.ts";
import { baseTypeDefs } from "./base.ts";
import { clinicalTypeDefs } from "./clinical.ts";
import { directoryTypeDefs } from "./directory.ts";
import { metaTypeDefs } from "./meta.ts";

export const typeDefs = [baseTypeDefs, authTypeDefs, metaTypeDefs, clinicalTypeDefs, directoryTypeDefs];
