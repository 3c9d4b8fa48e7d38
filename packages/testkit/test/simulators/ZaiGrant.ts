/** What a Zai platform sends the issuer (`POST /tokens`) for an access token, in the tests' words. */

export interface TestClient {
  readonly clientId: string
  readonly clientSecret: string
  readonly scope: string
}

/** The body of an OAuth2 client-credentials grant for `client`, sent as JSON or form-encoded. */
export const clientCredentials = (client: TestClient) => ({
  grant_type: "client_credentials",
  client_id: client.clientId,
  client_secret: client.clientSecret,
  scope: client.scope,
})
