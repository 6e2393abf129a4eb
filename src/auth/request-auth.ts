/** Request auth kinds: each turns rendered credentials into an Authorization header value. */
export interface BasicCredentials {
  username: string;
  password: string;
}

export const authHeaderBuilders = {
  basic: ({ username, password }: BasicCredentials) =>
    `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`,
  bearer: (token: string) => `Bearer ${token}`,
} as const;
