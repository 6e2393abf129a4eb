// Spotify-shaped answers for the bench: GET /v1/browse/new-releases as the Web API returns it
// with `market` set (albums with nested artists and three images each). `limit` sets the size:
// 3 albums make the 2.4 KB answer of the issue, 27 make 20 KB, 270 make 200 KB.

function id(seed: number): string {
  let text = '';
  for (let i = 0; i < 22; i++) text += 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[(seed * 31 + i * 17) % 62];
  return text;
}

function artist(seed: number) {
  const artistId = id(seed + 1000);
  return { href: `https://api.spotify.com/v1/artists/${artistId}`, id: artistId, name: `Artist ${seed}`, type: 'artist', uri: `spotify:artist:${artistId}` };
}

function album(seed: number) {
  const albumId = id(seed);
  return {
    album_type: seed % 3 === 0 ? 'single' : 'album',
    artists: [artist(seed)],
    href: `https://api.spotify.com/v1/albums/${albumId}`,
    id: albumId,
    images: [640, 300, 64].map((size) => ({ height: size, url: `https://i.scdn.co/image/ab67616d0000${size}${albumId.slice(0, 12)}`, width: size })),
    name: `New Release ${seed}`,
    release_date: '2026-11-20',
    release_date_precision: 'day',
    total_tracks: 1 + (seed % 14),
    type: 'album',
    uri: `spotify:album:${albumId}`,
  };
}

export function newReleases(limit: number): string {
  return JSON.stringify({
    albums: {
      href: `https://api.spotify.com/v1/browse/new-releases?offset=0&limit=${limit}`,
      items: Array.from({ length: limit }, (_, i) => album(i)),
      limit,
      next: `https://api.spotify.com/v1/browse/new-releases?offset=${limit}&limit=${limit}`,
      offset: 0,
      previous: null,
      total: 100,
    },
  });
}
