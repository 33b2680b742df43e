// Placeholder until the Redis service lands: provides no Redis URL.
export default function setup(): void {}
