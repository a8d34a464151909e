/** Connects to `connectionString` and runs `SELECT 1`; any failure (refused, timed out, rejected login) is "no". */
export declare function postgresAnswers(connectionString: string, connectionTimeoutMillis?: number): Promise<boolean>;
