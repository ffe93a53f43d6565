"""protocols: library versions, signatures, screening, patient protocols

Revision ID: 0002_protocols
Revises: 0001_foundation
Create Date: 2026-11-24 21:10:41.900412
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.storage.base

revision = '0002_protocols'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screening_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('answered_by', sa.Integer(), nullable=False),
    sa.Column('answered_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by'], ['user_account.id'], name=op.f('fk_screening_answer_answered_by_user_account')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_screening_answer_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_answer'))
    )
    with op.batch_alter_table('screening_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_answer_patient_id'), ['patient_id'], unique=False)

    op.create_table('signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('printed_name', sa.String(length=100), nullable=False),
    sa.Column('meaning', sa.String(length=20), nullable=False),
    sa.Column('signed_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['signer_id'], ['user_account.id'], name=op.f('fk_signature_signer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature'))
    )
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.create_index('ix_signature_record', ['record_type', 'record_id'], unique=False)

    op.create_table('library_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lineage_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('drug', sa.String(length=20), nullable=False),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('created_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('approval_id', sa.Integer(), nullable=True),
    sa.Column('retired_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('retired_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['approval_id'], ['signature.id'], name=op.f('fk_library_entry_approval_id_signature')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_library_entry_created_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_entry')),
    sa.UniqueConstraint('lineage_id', 'version', name='uq_library_entry_version')
    )
    with op.batch_alter_table('library_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_entry_lineage_id'), ['lineage_id'], unique=False)

    op.create_table('protocol',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('lineage_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('library_entry_id', sa.Integer(), nullable=False),
    sa.Column('dose_order', sa.Text(), nullable=False),
    sa.Column('course_sessions', sa.Integer(), nullable=False),
    sa.Column('sessions_per_week', sa.Integer(), nullable=False),
    sa.Column('titration_min', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('titration_max', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('planning_weight_kg', console.storage.base.DecimalText(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('override_reasons', sa.Text(), nullable=False),
    sa.Column('contraindication_ack', sa.Text(), nullable=True),
    sa.Column('verification_id', sa.Integer(), nullable=True),
    sa.Column('discontinued_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('discontinued_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_protocol_author_id_user_account')),
    sa.ForeignKeyConstraint(['library_entry_id'], ['library_entry.id'], name=op.f('fk_protocol_library_entry_id_library_entry')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_protocol_patient_id_patient')),
    sa.ForeignKeyConstraint(['verification_id'], ['signature.id'], name=op.f('fk_protocol_verification_id_signature')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protocol')),
    sa.UniqueConstraint('lineage_id', 'version', name='uq_protocol_version')
    )
    with op.batch_alter_table('protocol', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protocol_lineage_id'), ['lineage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_protocol_patient_id'), ['patient_id'], unique=False)

    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('diagnosis', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('allergies', sa.Text(), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_column('allergies')
        batch_op.drop_column('diagnosis')

    with op.batch_alter_table('protocol', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protocol_patient_id'))
        batch_op.drop_index(batch_op.f('ix_protocol_lineage_id'))

    op.drop_table('protocol')
    with op.batch_alter_table('library_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_entry_lineage_id'))

    op.drop_table('library_entry')
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_index('ix_signature_record')

    op.drop_table('signature')
    with op.batch_alter_table('screening_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_answer_patient_id'))

    op.drop_table('screening_answer')
